import Foundation
import NIOSSL

/// Supplies the credential for each request: a literal token as is, a token file re-read every
/// `tokenFileRefreshInterval` (service account tokens rotate), an exec plugin's answer cached
/// until shortly before its `expirationTimestamp`. After a 401 the client calls ``invalidate()``
/// and retries once with a fresh credential.
actor CredentialProvider {
    /// The credential to attach to one request.
    struct Resolved: Sendable {
        /// `Authorization: Bearer …` value, if any.
        var bearerToken: String?
        /// A per-request TLS configuration carrying an exec plugin's client certificate, if any.
        var tlsConfiguration: TLSConfiguration?
    }

    private let config: KubeConfig
    private let tokenFileRefreshInterval: Duration
    private let execTimeout: Duration
    private let clock = ContinuousClock()
    private var fileToken: (token: String, readAt: ContinuousClock.Instant)?
    private var execCredential: (credential: ExecCredential, tls: TLSConfiguration?)?
    private var execInFlight: Task<ExecCredential, any Error>?

    init(config: KubeConfig, tokenFileRefreshInterval: Duration, execTimeout: Duration) {
        self.config = config
        self.tokenFileRefreshInterval = tokenFileRefreshInterval
        self.execTimeout = execTimeout
    }

    /// Forgets cached tokens so the next call re-reads the file or re-runs the plugin.
    func invalidate() {
        fileToken = nil
        execCredential = nil
    }

    /// The credential for the next request.
    /// - Throws: ``KubeError`` when the token file cannot be read or the plugin fails.
    func current() async throws -> Resolved {
        let credentials = config.credentials
        if let exec = credentials.exec {
            let (credential, tls) = try await execResult(exec)
            return Resolved(bearerToken: credential.token, tlsConfiguration: tls)
        }
        switch credentials.bearerToken {
        case .literal(let token):
            return Resolved(bearerToken: token)
        case .file(let path):
            return Resolved(bearerToken: try tokenFromFile(path))
        case nil:
            return Resolved()
        }
    }

    private func tokenFromFile(_ path: String) throws -> String {
        if let cached = fileToken, cached.readAt.duration(to: clock.now) < tokenFileRefreshInterval {
            return cached.token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            // A rotation in progress can leave the file briefly absent: keep the last token if any.
            if let cached = fileToken { return cached.token }
            throw KubeError.invalidConfiguration("cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeError.invalidConfiguration("token file \(path) is empty") }
        fileToken = (token, clock.now)
        return token
    }

    private func execResult(_ exec: ExecCredentialConfig) async throws -> (ExecCredential, TLSConfiguration?) {
        if let cached = execCredential, Self.isFresh(cached.credential) { return cached }
        let task: Task<ExecCredential, any Error>
        if let running = execInFlight {
            task = running
        } else {
            let cluster = ExecCredentialRunner.ClusterInfo(
                server: config.server, certificateAuthorityPEM: config.tls.certificateAuthorityPEM,
                insecureSkipVerify: config.tls.insecureSkipVerify)
            let timeout = execTimeout
            task = Task { try await ExecCredentialRunner.run(exec, cluster: cluster, timeout: timeout) }
            execInFlight = task
        }
        defer { execInFlight = nil }
        let credential = try await task.value
        var tls: TLSConfiguration?
        if let certificate = credential.clientCertificate {
            do {
                tls = try config.makeTLSConfiguration(clientCertificate: certificate)
            } catch let error as KubeError {
                throw KubeError(.credentialPlugin, "exec plugin \(exec.command): \(error.message)")
            }
        }
        execCredential = (credential, tls)
        return (credential, tls)
    }

    /// Fresh until 10 seconds before its expiration (or forever without one).
    static func isFresh(_ credential: ExecCredential, now: Date = Date()) -> Bool {
        guard let expiration = credential.expiration else { return true }
        return now.addingTimeInterval(10) < expiration
    }
}
