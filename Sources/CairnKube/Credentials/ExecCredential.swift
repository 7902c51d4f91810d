import CairnCore
import Foundation

/// What an exec credential plugin printed: an `ExecCredential` whose `status` carries a bearer
/// token or a client certificate, and when it expires.
public struct ExecCredential: Sendable, Hashable {
    /// `status.token`.
    public var token: String?
    /// `status.clientCertificateData` + `status.clientKeyData`.
    public var clientCertificate: KubeCredentials.ClientCertificate?
    /// `status.expirationTimestamp`; `nil` means valid until the server refuses it.
    public var expiration: Date?

    /// Creates a credential.
    public init(token: String?, clientCertificate: KubeCredentials.ClientCertificate?, expiration: Date?) {
        self.token = token
        self.clientCertificate = clientCertificate
        self.expiration = expiration
    }

    /// Parses a plugin's standard output.
    /// - Parameters:
    ///   - output: the JSON the plugin printed.
    ///   - expectedAPIVersion: the `apiVersion` the kubeconfig asked for; the answer must match it.
    /// - Throws: ``KubeError/Code/credentialPlugin`` naming what is missing or malformed.
    public static func parse(_ output: some Collection<UInt8>, expectedAPIVersion: String) throws -> ExecCredential {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: output)
        } catch {
            let text = String(decoding: output.prefix(200), as: UTF8.self)
            throw KubeError(.credentialPlugin, "exec plugin output is not JSON: \"\(text)\"")
        }
        guard json["kind"]?.stringValue == "ExecCredential" else {
            throw KubeError(.credentialPlugin, "exec plugin output is not an ExecCredential (kind is \(json["kind"]?.stringValue ?? "missing"))")
        }
        let apiVersion = json["apiVersion"]?.stringValue ?? ""
        guard apiVersion == expectedAPIVersion else {
            throw KubeError(
                .credentialPlugin, "exec plugin answered apiVersion \"\(apiVersion)\", but the kubeconfig asked for \"\(expectedAPIVersion)\"")
        }
        guard let status = json["status"], case .object = status else {
            throw KubeError(.credentialPlugin, "exec plugin output has no status")
        }
        let token = status["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let certificate = status["clientCertificateData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let key = status["clientKeyData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var clientCertificate: KubeCredentials.ClientCertificate?
        switch (certificate, key) {
        case (let certificate?, let key?):
            clientCertificate = .init(certificatePEM: Array(certificate.utf8), privateKeyPEM: Array(key.utf8))
        case (.some, nil):
            throw KubeError(.credentialPlugin, "exec plugin returned status.clientCertificateData without status.clientKeyData")
        case (nil, .some):
            throw KubeError(.credentialPlugin, "exec plugin returned status.clientKeyData without status.clientCertificateData")
        case (nil, nil):
            break
        }
        guard token != nil || clientCertificate != nil else {
            throw KubeError(.credentialPlugin, "exec plugin returned neither status.token nor status.clientCertificateData")
        }
        var expiration: Date?
        if let text = status["expirationTimestamp"]?.stringValue, !text.isEmpty {
            guard let date = parseTimestamp(text) else {
                throw KubeError(.credentialPlugin, "exec plugin status.expirationTimestamp is not RFC 3339: \"\(text)\"")
            }
            expiration = date
        }
        return ExecCredential(token: token, clientCertificate: clientCertificate, expiration: expiration)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
