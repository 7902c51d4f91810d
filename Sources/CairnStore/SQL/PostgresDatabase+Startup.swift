import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

extension PostgresDatabase {
    /// Opens one connection as the pool opens its own (same TLS, same start-up parameters), runs
    /// `SELECT 1` and closes it: what start-up does before anything else touches the database.
    ///
    /// The pool, asked for a connection it cannot open, retries in the background until its
    /// circuit breaker trips a minute later, with the cause only in its logs. Here a failure that
    /// waiting cannot mend ends at once with the cause: the server's own message (a wrong
    /// password, a `pg_hba.conf` rejection, an unknown database), or which TLS check failed (the
    /// server offers no TLS, its certificate is not trusted, or does not name the host). A server
    /// that cannot be reached yet (connection refused, a time-out, "the database system is
    /// starting up", too many connections) is retried, with a warning giving the cause each time,
    /// for up to `window`.
    /// - Throws: ``SQLDatabaseError`` of kind ``SQLDatabaseError/Kind/unavailable`` with that
    ///   message; `CancellationError` when the task is cancelled while waiting.
    public func checkConnection(waitingUpTo window: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + window
        var delay = Duration.milliseconds(250)
        var attempt = 0
        while true {
            attempt += 1
            let failure: PostgresStartupFailure
            do {
                let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: attempt, logger: logger)
                do {
                    for try await _ in try await connection.query("SELECT 1", logger: logger) {}
                    try? await connection.close()
                    return
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = PostgresStartupFailure(error, settings: settings)
            }
            let remaining = deadline - ContinuousClock.now
            guard !failure.isFatal, remaining > .zero else {
                throw SQLDatabaseError(.unavailable, failure.message)
            }
            logger.warning("PostgreSQL cannot be used yet; retrying", metadata: ["reason": "\(failure.message)", "attempt": "\(attempt)"])
            try await Task.sleep(for: min(delay, remaining))  // the last attempt at the end of the window
            delay = min(delay * 2, .seconds(5))
        }
    }
}

/// Why a start-up connection to PostgreSQL failed, in words, and whether waiting could mend it.
struct PostgresStartupFailure {
    let message: String
    let isFatal: Bool

    init(_ error: any Error, settings: DatabaseURL.Postgres) {
        let server = "PostgreSQL at \(settings.host):\(settings.port)"
        guard let error = error as? PSQLError else {
            (message, isFatal) = ("\(server): \(error)", true)
            return
        }
        if let info = error.serverInfo, let state = info[.sqlState] {
            let text = info[.message] ?? "error \(state)"
            // Class 53 (insufficient resources), 57P01-57P03 (shutting down, starting up): transient.
            if state.hasPrefix("53") || ["57P01", "57P02", "57P03"].contains(state) {
                (message, isFatal) = ("\(server) cannot take connections yet: \(text) (SQLSTATE \(state))", false)
                return
            }
            var hint = ""
            // pg_hba.conf's refusal ends "no encryption" (PostgreSQL 14+) or "SSL off" (before).
            if state == "28000", text.hasSuffix("no encryption") || text.hasSuffix("SSL off"), !settings.sslMode.usesTLS {
                hint =
                    "; it accepts this connection only over TLS, and sslmode=\(settings.sslMode.rawValue) connects without:"
                    + " use sslmode=verify-full with sslrootcert (or require)"
            }
            (message, isFatal) = ("\(server) refused the connection: \(text) (SQLSTATE \(state))\(hint)", true)
            return
        }
        switch error.code {
        case .sslUnsupported:
            (message, isFatal) = ("\(server) does not support TLS (ssl is off there), but sslmode=\(settings.sslMode.rawValue) requires it", true)
        case .authMechanismRequiresPassword:
            (message, isFatal) = ("\(server) asks for a password and the URL gives none (postgres://user:password@host/db)", true)
        case .unsupportedAuthMechanism, .saslError:
            (message, isFatal) = ("\(server): authentication failed (\(String(reflecting: error)))", true)
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .failedToAddSSLHandler:
            let cause = error.underlying
            if let tls = cause.flatMap({ Self.tlsProblem($0, settings: settings) }) {
                (message, isFatal) = ("TLS with \(server) failed: \(tls)", true)
            } else {
                (message, isFatal) = ("\(server) is unreachable: \(cause.map(Self.reachabilityProblem) ?? "\(error.code)")", false)
            }
        default:
            (message, isFatal) = ("\(server): \(String(reflecting: error))", true)
        }
    }

    /// What a TLS error says, in words; nil when `error` is not one.
    private static func tlsProblem(_ error: any Error, settings: DatabaseURL.Postgres) -> String? {
        if let error = error as? NIOSSLExtraError {
            if error == .failedToValidateHostname {
                return "the server's certificate does not name the host '\(settings.host)' (sslmode=verify-full checks that it does;"
                    + " connect by a name the certificate carries, or use sslmode=verify-ca)"
            }
            return "\(error)"
        }
        guard error is NIOSSLError || error is BoringSSLError else { return nil }
        let text = boringSSLReasons(in: "\(error)")
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            let roots =
                switch settings.trustRoots {
                case .file(let path): "a CA in sslrootcert=\(path)"
                case .system, nil: "a CA the system trusts"
                }
            return "the server's certificate is not trusted: it is not signed by \(roots), or it has expired (\(text))"
        }
        if text.contains("ALERT_UNKNOWN_CA") || text.contains("ALERT_BAD_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") {
            let certificate = settings.clientCertificate.map { "sslcert=\($0.certificateChain)" } ?? "no client certificate (sslcert)"
            return "the server refused the client certificate: \(certificate) (\(text))"
        }
        return text
    }

    /// BoringSSL's reason codes in an error's text (`CERTIFICATE_VERIFY_FAILED`), without the
    /// numbers and source paths around them; the whole text when it names none.
    private static func boringSSLReasons(in text: String) -> String {
        let marker = "OPENSSL_internal:"
        var reasons: [String] = []
        var rest = text[...]
        while let range = rest.range(of: marker) {
            rest = rest[range.upperBound...]
            let reason = String(rest.prefix { $0.isUppercase || $0.isNumber || $0 == "_" })
            if !reason.isEmpty && !reasons.contains(reason) { reasons.append(reason) }
        }
        return reasons.isEmpty ? text : "BoringSSL: " + reasons.joined(separator: ", ")
    }

    /// Why a server could not be reached, in words (`Connection refused`).
    private static func reachabilityProblem(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            let reasons = error.connectionErrors.map { reachabilityProblem($0.error) }
            if reasons.isEmpty {
                return "cannot resolve the host name '\(error.host)' (\(error.dnsAError.map { "\($0)" } ?? "no address"))"
            }
            return reasons.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: "; ")
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout(let limit):
            return "no answer within \(limit.nanoseconds / 1_000_000_000) s"
        default:
            return "\(error)"
        }
    }
}
