import CairnCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import Testing

@testable import CairnStore

/// A statement issued on an event loop gets a connection of that loop (its I/O then stays on
/// the request's thread), borrows another loop's when its own pool is busy instead of waiting,
/// and the pools split the connection ceiling between them.
@Suite struct EventLoopPoolsTests {
    /// The pools' settings for the test cluster, plain TCP.
    private static func configuration(maximumConnections: Int) throws -> PostgresClient.Configuration {
        let url = try #require(Engine.postgresURL, "CAIRN_TEST_POSTGRES_URL is not set")
        guard case .postgres(let settings) = try DatabaseURL(parsing: url) else { throw CairnError.invalidParameter("not a PostgreSQL URL") }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
            tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    /// Runs `body` with pools over `loops` new event loops, their tasks' executor, and the loops.
    private static func withPools<T: Sendable>(
        loops count: Int, maximumConnections: Int,
        _ body: @Sendable (EventLoopPools, EventLoopTaskExecutor, [any EventLoop]) async throws -> T
    ) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: count)
        let pools = EventLoopPools(
            configuration: try configuration(maximumConnections: maximumConnections), group: group, logger: TestDatabase.logger)
        let executor = EventLoopTaskExecutor(group)
        let result = try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                await pools.run()
                return nil
            }
            defer { tasks.cancelAll() }
            return try await body(pools, executor, Array(group.makeIterator()))
        }
        try await group.shutdownGracefully()
        return result
    }

    /// Runs `body` in a task started on `loop` that prefers `executor`, as a request's task is.
    private static func onLoop<T: Sendable>(
        _ loop: any EventLoop, _ executor: EventLoopTaskExecutor, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = try await loop.submit { Task(executorPreference: executor) { try await body() } }.get()
        return try await task.value
    }

    @Test func aStatementOnAnEventLoopUsesAConnectionOfThatLoop() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await Self.withPools(loops: 3, maximumConnections: 6) { pools, executor, loops in
            for round in 0..<4 {
                for (index, loop) in loops.enumerated() {
                    let connectionLoop = try await Self.onLoop(loop, executor) {
                        try await pools.withConnection { connection in
                            _ = try await connection.query("SELECT 1", logger: TestDatabase.logger).collect()
                            return ObjectIdentifier(connection.eventLoop)
                        }
                    }
                    #expect(connectionLoop == ObjectIdentifier(loop), "round \(round), loop \(index)")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func aStatementWhoseLoopsPoolIsBusyBorrowsAnotherLoopsConnection() async throws {
        guard Engine.available.contains(.postgres) else { return }
        try await Self.withPools(loops: 2, maximumConnections: 2) { pools, executor, loops in
            #expect(pools.pools.map(\.capacity) == [1, 1])
            let (released, release) = AsyncStream<Void>.makeStream()
            let (holding, leased) = AsyncStream<Void>.makeStream()
            // The first loop's only connection, held until released.
            async let holder: Void = Self.onLoop(loops[0], executor) {
                try await pools.withConnection { _ in
                    leased.yield()
                    for await _ in released { break }
                }
            }
            for await _ in holding { break }
            // Served at once by the second loop's connection, not queued behind the holder.
            let borrowed = try await Self.onLoop(loops[0], executor) {
                try await pools.withConnection { connection in
                    _ = try await connection.query("SELECT 1", logger: TestDatabase.logger).collect()
                    return ObjectIdentifier(connection.eventLoop)
                }
            }
            #expect(borrowed == ObjectIdentifier(loops[1]))
            release.yield()
            try await holder
        }
    }

    /// A command's first statement follows the start of the pools' run at once (as
    /// `withMigratedDatabase` does): after ``EventLoopPools/waitUntilRunning()`` no pool is leased
    /// before its client runs, so postgres-nio logs no warning.
    @Test func aStatementAfterWaitingForTheRunFindsEveryPoolRunning() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        let warnings = WarningLog()
        let logger = Logger(label: "pools-test") { _ in WarningLog.Handler(log: warnings) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let pools = EventLoopPools(configuration: try Self.configuration(maximumConnections: 3), group: group, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await pools.run() }
            defer { tasks.cancelAll() }
            await pools.waitUntilRunning()
            for pool in pools.pools {
                try await pool.client.withConnection { connection in
                    _ = try await connection.query("SELECT 1", logger: TestDatabase.logger).collect()
                }
            }
        }
        try await group.shutdownGracefully()
        #expect(warnings.messages.filter { $0.contains("run()") } == [])
    }

    /// Nothing connects: the pools only open connections once run.
    @Test func thePoolsSplitTheConnectionCeiling() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        defer { try? group.syncShutdownGracefully() }
        for (ceiling, capacities) in [(8, [3, 3, 2]), (3, [1, 1, 1]), (2, [1, 1]), (1, [1])] {
            var configuration = PostgresClient.Configuration(
                host: "127.0.0.1", port: 5432, username: "nobody", password: nil, database: nil, tls: .disable)
            configuration.options.maximumConnections = ceiling
            configuration.options.minimumConnections = 1
            let pools = EventLoopPools(configuration: configuration, group: group, logger: TestDatabase.logger)
            #expect(pools.pools.map(\.capacity) == capacities, "ceiling \(ceiling)")
        }
    }
}

/// The warnings (and worse) logged through a ``WarningLog/Handler``.
private final class WarningLog: Sendable {
    private let recorded = Mutex<[String]>([])

    var messages: [String] { recorded.withLock { $0 } }

    struct Handler: LogHandler {
        let log: WarningLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.recorded.withLock { $0.append("\(event.message)") }
        }
    }
}
