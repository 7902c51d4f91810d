import Foundation
import NIOSSL

extension KubeConfig {
    /// Checks that `pem` holds at least one PEM certificate.
    static func validateCertificates(_ pem: [UInt8], field: String) throws {
        _ = try certificates(pem, field: field)
    }

    static func certificates(_ pem: [UInt8], field: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw KubeError.invalidConfiguration("\(field) is not a PEM certificate: \(error)")
        }
        guard !certificates.isEmpty else {
            throw KubeError.invalidConfiguration("\(field) holds no PEM certificate")
        }
        return certificates
    }

    static func privateKey(_ pem: [UInt8], field: String) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(bytes: pem, format: .pem)
        } catch {
            throw KubeError.invalidConfiguration("\(field) is not a PEM private key: \(error)")
        }
    }

    /// The NIOSSL client configuration for this server: its CA (or the system roots), the
    /// verification mode and the client certificate, when there is one.
    /// - Parameter clientCertificate: the certificate to present (from the kubeconfig or an exec plugin).
    /// - Throws: ``KubeError/Code/invalidConfiguration`` when a PEM does not parse, or when
    ///   `tls-server-name` differs from the URL's host (not supported by the HTTP client).
    func makeTLSConfiguration(clientCertificate: KubeCredentials.ClientCertificate?) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let ca = tls.certificateAuthorityPEM {
            configuration.trustRoots = .certificates(try Self.certificates(ca, field: "certificate-authority"))
        }
        if tls.insecureSkipVerify {
            configuration.certificateVerification = .none
        } else if let serverName = tls.serverName, !serverName.isEmpty, serverName != host {
            throw KubeError.invalidConfiguration(
                "tls-server-name \"\(serverName)\" differs from the server's host \"\(host)\": not supported; "
                    + "use a server URL whose host matches the certificate")
        }
        if let clientCertificate {
            let chain = try Self.certificates(clientCertificate.certificatePEM, field: "client-certificate")
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(clientCertificate.privateKeyPEM, field: "client-key"))
        }
        return configuration
    }

    /// The host part of ``server``.
    var host: String {
        var rest = Substring(server)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }
}
