import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import _ConnectionPoolModule

@testable import CairnStore

/// With PostgreSQL gone, a statement waits a bounded time for a pooled connection and fails as
/// unavailable (503), instead of queueing until the pool's circuit breaker trips a minute later.
@Suite struct ConnectionWaitTests {
    /// Once no connection could be opened for a while, the pool refuses every lease at once (its
    /// circuit breaker, after a minute): that is the database being unavailable (503 with
    /// Retry-After), not an internal error (500).
    @Test func aPoolThatStoppedTryingIsUnavailable() {
        for error in [ConnectionPoolError.connectionCreationCircuitBreakerTripped, .poolShutdown] {
            #expect(PostgresDatabase.translate(error).kind == .unavailable)
        }
    }

    @Test func statementFailsAsUnavailableWithinTheConnectionWaitWhenPostgresIsGone() async throws {
        // A port nothing listens on: every connection attempt is refused.
        let socket = try await ServerBootstrap(group: .singletonMultiThreadedEventLoopGroup).bind(host: "127.0.0.1", port: 0).get()
        let port = socket.localAddress!.port!
        try await socket.close()
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .critical
        let url = try DatabaseURL(parsing: "postgres://nobody@127.0.0.1:\(port)/none?sslmode=disable")
        guard case .postgres(let settings) = url else {
            Issue.record("not a PostgreSQL URL")
            return
        }
        let database = try PostgresDatabase(settings: settings, maximumConnections: 2, connectionWait: .milliseconds(800), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            for _ in 0..<3 {
                let start = ContinuousClock.now
                await #expect {
                    _ = try await database.query("SELECT 1", [])
                } throws: { error in
                    // The connection wait refused it (its message), not the pool's circuit breaker.
                    guard let error = error as? SQLDatabaseError else { return false }
                    return error.kind == .unavailable && error.message.contains("within 800 ms")
                }
                // The upper bound only has to be below the circuit breaker's minute: the suite runs
                // beside hundreds of other tests on two cores, and CI once took 5.7 s here.
                let waited = ContinuousClock.now - start
                #expect(waited >= .milliseconds(700) && waited < .seconds(30), "waited \(waited)")
            }
            group.cancelAll()
        }
    }
}
