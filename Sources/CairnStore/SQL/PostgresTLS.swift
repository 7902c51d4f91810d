import Foundation
import NIOSSL
import PostgresNIO

/// The TLS side of PostgreSQL connections as a URL's `sslmode`, `sslrootcert`, `sslcert` and
/// `sslkey` ask for it, with its PEM files read and checked once, at start:
///
/// | sslmode | encrypted | server certificate checked |
/// | --- | --- | --- |
/// | `disable`, `allow` | never | — |
/// | `prefer` | when the server offers TLS | chain, if `sslrootcert` is given (as libpq) |
/// | `require` | always | chain, if `sslrootcert` is given (as libpq) |
/// | `verify-ca` | always | chain |
/// | `verify-full` | always | chain, and the URL's host among its names (an IP address against its IP addresses) |
struct PostgresTLS: Sendable {
    /// TLS for the pool: nil for plain connections.
    let configuration: TLSConfiguration?
    /// The same configuration made into a context, for the start-up check's own connection
    /// (making it also proves that the key belongs to the certificate).
    let context: NIOSSLContext?
    let mode: DatabaseURL.Postgres.SSLMode

    /// - Throws: ``DatabaseURLError`` naming the option and file that cannot be read or is not
    ///   the PEM it should be.
    init(_ settings: DatabaseURL.Postgres) throws(DatabaseURLError) {
        mode = settings.sslMode
        guard settings.sslMode.usesTLS else {
            configuration = nil
            context = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // libpq's default ssl_min_protocol_version
        // Closing a connection sends close_notify and does not wait for PostgreSQL's: the pool
        // closes a connection to stop a cancelled statement (a client that left), and NIO's
        // default 5 s wait kept the backend running the statement that long.
        tls.shutdownTimeout = .zero
        switch settings.trustRoots {
        case .file(let path): tls.trustRoots = .certificates(try Self.certificates("sslrootcert", path))
        case .system: tls.trustRoots = .default
        case nil: break
        }
        switch settings.sslMode {
        case .disable, .allow: break
        case .prefer, .require: tls.certificateVerification = settings.trustRoots == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let client = settings.clientCertificate {
            tls.certificateChain = try Self.certificates("sslcert", client.certificateChain).map { .certificate($0) }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(bytes: try Self.contents("sslkey", client.privateKey), format: .pem)
            } catch let error as DatabaseURLError {
                throw error
            } catch {
                throw DatabaseURLError("sslkey=\(client.privateKey): not an unencrypted PEM private key (\(error))")
            }
            tls.privateKey = .privateKey(key)
        }
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            let files = settings.clientCertificate.map { "sslcert=\($0.certificateChain) and sslkey=\($0.privateKey)" } ?? "the TLS settings"
            throw DatabaseURLError("\(files) cannot be used together (does the key belong to the certificate?): \(error)")
        }
        configuration = tls
    }

    /// TLS as the pool takes it.
    var clientTLS: PostgresClient.Configuration.TLS {
        guard let configuration else { return .disable }
        return mode == .prefer ? .prefer(configuration) : .require(configuration)
    }

    /// TLS as one connection takes it.
    var connectionTLS: PostgresConnection.Configuration.TLS {
        guard let context else { return .disable }
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    /// The certificates of a PEM file.
    private static func certificates(_ option: String, _ path: String) throws(DatabaseURLError) -> [NIOSSLCertificate] {
        let bytes = try contents(option, path)
        do {
            return try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw DatabaseURLError("\(option)=\(path): not a PEM certificate file (no readable BEGIN CERTIFICATE block)")
        }
    }

    private static func contents(_ option: String, _ path: String) throws(DatabaseURLError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DatabaseURLError("\(option)=\(path): cannot read the file (it is a directory)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, R_OK) == 0 ? "unreadable" : String(cString: strerror(errno))
            throw DatabaseURLError("\(option)=\(path): cannot read the file (\(reason))")
        }
        return Array(data)
    }
}
