import Foundation

/// Fixtures shared by the CairnKube tests.
enum Fixtures {
    /// A self-signed EC certificate (CN=cairn-test) that no API server presents.
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBgTCCASegAwIBAgIUStE8XQejBqxVBiCfk6+XvyfunLEwCgYIKoZIzj0EAwIw
        FTETMBEGA1UEAwwKY2Fpcm4tdGVzdDAgFw0yNjExMjkwOTUwMTFaGA8yMTI2MTEw
        NTA5NTAxMVowFTETMBEGA1UEAwwKY2Fpcm4tdGVzdDBZMBMGByqGSM49AgEGCCqG
        SM49AwEHA0IABGOm4f836eR6oNWRNywm/fJGujWpIgQpS0xi/XfBGOSVRrmY1wet
        EfidhrDjWFHQ8GmvtdiV9dyeFr7OI7u8z5OjUzBRMB0GA1UdDgQWBBQGybKxExzh
        5wKEolojfaNAK9ivSzAfBgNVHSMEGDAWgBQGybKxExzh5wKEolojfaNAK9ivSzAP
        BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIA+C/onpuvKCL2a8VG1J
        AHxtkAcFFkimIIPyIgShWgQOAiEA+8RgOw0huZ96O+XIInY5D1aE/lJHeCI/lA5e
        lHODeiQ=
        -----END CERTIFICATE-----
        """

    /// The private key of ``certificatePEM``.
    static let keyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLmrx1fciQvnvGZ9n
        ImdLsP9NbcueeZcR4NL9NZSpr2ehRANCAARjpuH/N+nkeqDVkTcsJv3yRro1qSIE
        KUtMYv13wRjklUa5mNcHrRH4nYaw41hR0PBpr7XYlfXcnha+ziO7vM+T
        -----END PRIVATE KEY-----
        """

    static var certificateBase64: String { Data(certificatePEM.utf8).base64EncodedString() }
    static var keyBase64: String { Data(keyPEM.utf8).base64EncodedString() }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "cairn-kube-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `directory/name` and returns the path.
    @discardableResult
    static func write(_ text: String, to name: String, in directory: String, executable: Bool = false) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }
}
