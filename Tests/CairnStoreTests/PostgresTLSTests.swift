import CairnStore
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The test cluster's TLS side (scripts/lib/postgres.sh): a server certificate for `localhost`
/// only, signed by a throwaway CA; `cairn_tls` (password) and `cairn_tls_cert` (client
/// certificate) are refused without TLS. Present when scripts/test.sh exports
/// `CAIRN_TEST_POSTGRES_TLS_*`; with `CI=true` its absence fails ``EngineAvailabilityTests``.
struct TLSTestServer: Sendable {
    let port: Int
    let password: String
    let ca: String
    let otherCA: String
    let certificateUser: String
    let clientCertificate: String
    let clientKey: String

    static let current: TLSTestServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["CAIRN_TEST_POSTGRES_TLS_URL"], !text.isEmpty,
            case .postgres(let url)? = try? DatabaseURL(parsing: text),
            let ca = environment["CAIRN_TEST_POSTGRES_TLS_CA"], let otherCA = environment["CAIRN_TEST_POSTGRES_TLS_OTHER_CA"],
            let user = environment["CAIRN_TEST_POSTGRES_TLS_CERT_USER"], let certificate = environment["CAIRN_TEST_POSTGRES_TLS_CLIENT_CERT"],
            let key = environment["CAIRN_TEST_POSTGRES_TLS_CLIENT_KEY"]
        else { return nil }
        return TLSTestServer(
            port: url.port, password: url.password ?? "", ca: ca, otherCA: otherCA, certificateUser: user, clientCertificate: certificate,
            clientKey: key)
    }()

    /// A URL of the password role (or `user`, without password) at `host`, with `options`.
    func url(user: String? = nil, password: String? = nil, host: String = "localhost", _ options: String) -> String {
        let credentials = user ?? "cairn_tls:\(password ?? self.password)"
        return "postgres://\(credentials)@\(host):\(port)/postgres" + (options.isEmpty ? "" : "?\(options)")
    }
}

@Suite struct PostgresTLSTests {
    /// Opens `url` as start-up does and runs `body` against its pool.
    private func withOpened<T: Sendable>(_ url: String, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = try await openDatabase(try DatabaseURL(parsing: url), maximumConnections: 2, logger: TestDatabase.logger)
        let postgres = try #require(database as? PostgresDatabase)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await postgres.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Whether this session is encrypted, and as whom.
    private func session(_ database: any SQLDatabase) async throws -> (tls: Bool, user: String) {
        let row = try #require(try await database.query("SELECT ssl, current_user::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", []).first)
        return (row.int(0) == 1, row.string(1))
    }

    /// "At once": well under the 60 s start-up wait that a retried failure would take. Not
    /// tighter: the suite shares two cores with hundreds of tests, and CI once saw a timer 5 s late.
    private static let atOnce = Duration.seconds(30)

    /// Start-up's refusal of `url`: its message and how long it took.
    private func refusal(_ url: String) async throws -> (message: String, took: Duration) {
        let started = ContinuousClock.now
        let error = await #expect(throws: SQLDatabaseError.self) {
            _ = try await openDatabase(try DatabaseURL(parsing: url), maximumConnections: 2, logger: TestDatabase.logger)
        }
        #expect(error?.kind == .unavailable)
        return (error?.message ?? "", ContinuousClock.now - started)
    }

    @Test func verifyFullWithTheRightCAAndHostConnectsOverTLS() async throws {
        guard let server = TLSTestServer.current else { return }  // EngineAvailabilityTests fails CI without it
        let session = try await withOpened(server.url("sslmode=verify-full&sslrootcert=\(server.ca)")) { try await self.session($0) }
        #expect(session.tls && session.user == "cairn_tls")
    }

    @Test func aCertificateFromAnotherCAIsNotTrusted() async throws {
        guard let server = TLSTestServer.current else { return }
        for mode in ["verify-full", "verify-ca", "require"] {  // require checks the chain too when sslrootcert is given (libpq)
            let (message, took) = try await refusal(server.url("sslmode=\(mode)&sslrootcert=\(server.otherCA)"))
            #expect(message.contains("TLS with PostgreSQL at localhost:\(server.port) failed: the server's certificate is not trusted"), "\(message)")
            #expect(message.contains("sslrootcert=\(server.otherCA)"), "\(message)")
            #expect(took < Self.atOnce)
        }
    }

    /// The certificate names `localhost` only, not 127.0.0.1: verify-full refuses the address,
    /// verify-ca (the chain only) accepts it.
    @Test func verifyFullRefusesAHostTheCertificateDoesNotName() async throws {
        guard let server = TLSTestServer.current else { return }
        let (message, took) = try await refusal(server.url(host: "127.0.0.1", "sslmode=verify-full&sslrootcert=\(server.ca)"))
        #expect(message.contains("the server's certificate does not name the host '127.0.0.1'"), "\(message)")
        #expect(took < Self.atOnce)
        let session = try await withOpened(server.url(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(server.ca)")) {
            try await self.session($0)
        }
        #expect(session.tls)
    }

    /// require and prefer without sslrootcert encrypt without checking the certificate (libpq).
    @Test(arguments: ["sslmode=require", "sslmode=prefer", ""])
    func requireAndPreferWithoutACAConnectOverTLS(options: String) async throws {
        guard let server = TLSTestServer.current else { return }
        let session = try await withOpened(server.url(host: "127.0.0.1", options)) { try await self.session($0) }
        #expect(session.tls)
    }

    /// A role the server accepts only over TLS, asked without: the server's pg_hba.conf refusal at
    /// once (the pool would have retried for a minute).
    @Test(arguments: ["disable", "allow"])
    func aPlainConnectionToATLSOnlyRoleFailsAtOnceWithTheServersMessage(mode: String) async throws {
        guard let server = TLSTestServer.current else { return }
        let (message, took) = try await refusal(server.url("sslmode=\(mode)"))
        #expect(message.contains("refused the connection: pg_hba.conf rejects connection for host \"127.0.0.1\", user \"cairn_tls\""), "\(message)")
        #expect(message.contains("no encryption (SQLSTATE 28000)") && message.contains("use sslmode=verify-full"), "\(message)")
        #expect(took < Self.atOnce)
    }

    @Test func aWrongPasswordFailsAtOnceWithTheServersMessage() async throws {
        guard let server = TLSTestServer.current else { return }
        let (message, took) = try await refusal(server.url(password: "not-the-password", "sslmode=require"))
        #expect(message.contains("password authentication failed for user \"cairn_tls\" (SQLSTATE 28P01)"), "\(message)")
        #expect(took < Self.atOnce)
    }

    @Test func aClientCertificateLogsItsRoleIn() async throws {
        guard let server = TLSTestServer.current else { return }
        let files = "sslrootcert=\(server.ca)&sslcert=\(server.clientCertificate)&sslkey=\(server.clientKey)"
        let session = try await withOpened(server.url(user: server.certificateUser, "sslmode=verify-full&\(files)")) {
            try await self.session($0)
        }
        #expect(session.tls && session.user == server.certificateUser)
        let (message, _) = try await refusal(server.url(user: server.certificateUser, "sslmode=verify-full&sslrootcert=\(server.ca)"))
        #expect(message.contains("connection requires a valid client certificate"), "\(message)")
    }

    @Test func tlsFilesThatCannotBeUsedStopStartUpNamingOptionAndFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let missing = directory.appendingPathComponent("missing.pem").path
        var cases = [
            ("sslmode=verify-full&sslrootcert=\(missing)", "sslrootcert=\(missing): cannot read the file (No such file or directory)"),
            ("sslmode=verify-full&sslrootcert=\(directory.path)", "sslrootcert=\(directory.path): cannot read the file (it is a directory)"),
            ("sslmode=verify-full&sslrootcert=\(garbage)", "sslrootcert=\(garbage): not a PEM certificate file"),
        ]
        if let server = TLSTestServer.current {
            cases += [
                ("sslmode=require&sslcert=\(garbage)&sslkey=\(server.clientKey)", "sslcert=\(garbage): not a PEM certificate file"),
                (
                    "sslmode=require&sslcert=\(server.clientCertificate)&sslkey=\(server.ca)",
                    "sslkey=\(server.ca): not an unencrypted PEM private key"
                ),
                ("sslmode=require&sslcert=\(server.ca)&sslkey=\(server.clientKey)", "does the key belong to the certificate?"),
            ]
        }
        for (options, expected) in cases {
            let error = await #expect(throws: DatabaseURLError.self) {
                _ = try await openDatabase(
                    try DatabaseURL(parsing: "postgres://u@localhost:1/db?\(options)"), startupWait: .zero, logger: TestDatabase.logger)
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
        }
    }

    /// A server that answers the TLS request with `N` (ssl = off) under sslmode=require.
    @Test func aServerWithoutTLSIsRefusedWhenTLSIsRequired() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in channel.pipeline.addHandler(AnswerNoToSSLRequest()) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        let (message, took) = try await refusal("postgres://u:p@127.0.0.1:\(port)/db?sslmode=require")
        #expect(message == "PostgreSQL at 127.0.0.1:\(port) does not support TLS (ssl is off there), but sslmode=require requires it")
        #expect(took < Self.atOnce)
    }

    /// Nothing listening: retried for the start-up wait, then the cause.
    @Test func anUnreachableServerIsRetriedForTheStartupWaitThenNamed() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()  // a port nobody listens on now
        let started = ContinuousClock.now
        let error = await #expect(throws: SQLDatabaseError.self) {
            _ = try await openDatabase(
                try DatabaseURL(parsing: "postgres://u@127.0.0.1:\(port)/db"), startupWait: .seconds(1), logger: TestDatabase.logger)
        }
        let took = ContinuousClock.now - started
        #expect(error?.message == "PostgreSQL at 127.0.0.1:\(port) is unreachable: Connection refused", "\(error?.message ?? "no error")")
        #expect(took >= .seconds(1) && took < Self.atOnce, "\(took)")
    }
}

/// Plays a PostgreSQL server with `ssl = off`: answers the client's SSLRequest with `N`, then
/// waits (the client gives up).
private final class AnswerNoToSSLRequest: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "N")), promise: nil)
    }
}
