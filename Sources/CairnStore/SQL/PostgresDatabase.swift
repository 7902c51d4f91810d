import CairnCore
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The production engine: postgres-nio connection pools, one per event loop (``EventLoopPools``).
/// The pools are a ServiceLifecycle `Service`: hand the database to the service group (or call
/// ``run()`` in a task) before use.
public final class PostgresDatabase: SQLDatabase, Service {
    public var dialect: SQLDialect { .postgres }

    /// The connection pools, one per event loop (see ``EventLoopPools``).
    private let pools: EventLoopPools
    let logger: Logger
    /// Where and how to connect, for ``checkConnection(waitingUpTo:)``'s own connection and messages.
    let settings: DatabaseURL.Postgres
    /// What every pooled connection is opened with, for ``checkConnection(waitingUpTo:)``.
    let connectionConfiguration: PostgresConnection.Configuration
    /// Whether ``FixedStatement``s are prepared (``DatabaseURL/Postgres/preparedStatements``), and
    /// generated statements given a name in ``generatedStatements``.
    private let preparesStatements: Bool
    /// The names of the generated statements prepared on this pool's connections.
    let generatedStatements = GeneratedStatementNames(capacity: 64)
    /// The `statement_timeout` of every pooled connection; nil when unlimited.
    public let statementTimeout: Duration?
    /// How long a statement waits for a pooled connection while the pool makes no progress: with
    /// the database gone, the pool queues requests while it retries (its circuit breaker trips
    /// only after a minute), so such a request ends with ``SQLDatabaseError/Kind/unavailable``
    /// (503 with `Retry-After`) instead of hanging. While statements keep finishing the wait is a
    /// queue behind working ones (a burst of transactions on one lock), which lasts as long as it
    /// takes.
    public let connectionWait: Duration
    /// When a connection was last leased or released, in nanoseconds since `started` (the wait
    /// above tells an outage from a queue by it).
    private let lastProgress = Atomic<Int64>(0)
    private let started = ContinuousClock.now
    private let metrics: DatabaseMetrics

    /// - Parameters:
    ///   - settings: where and how to connect (see ``DatabaseURL``).
    ///   - maximumConnections: the ceiling of all the pools together.
    ///   - statementTimeout: the longest any statement may run (PostgreSQL's `statement_timeout`,
    ///     set on every pooled connection at start-up, so it costs no round trip); nil for no
    ///     limit. A statement past it is cancelled by PostgreSQL itself, also when the client
    ///     that asked has gone, and fails with ``SQLDatabaseError/Kind/timedOut``. Migrations
    ///     lift it for their own transactions.
    /// - Throws: ``DatabaseURLError`` when a TLS file the URL names (`sslrootcert`, `sslcert`,
    ///   `sslkey`) cannot be read or is not valid PEM. Nothing connects yet: call
    ///   ``checkConnection(waitingUpTo:)`` to learn at start whether the database can be used.
    ///   - connectionWait: see ``connectionWait``.
    ///   - metrics: where the pool's figures go (see ``DatabaseMetrics``); a no-op by default.
    public init(
        settings: DatabaseURL.Postgres, maximumConnections: Int = 20, statementTimeout: Duration? = nil, connectionWait: Duration = .seconds(5),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) throws(DatabaseURLError) {
        let tls = try PostgresTLS(settings)
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.user,
            password: settings.password,
            database: settings.database,
            tls: tls.clientTLS
        )
        var connection = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
            tls: tls.connectionTLS)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        connection.options.connectTimeout = .seconds(5)
        let startup = Self.startupParameters(statementTimeout: statementTimeout, settings: settings)
        configuration.options.additionalStartupParameters = startup
        connection.options.additionalStartupParameters = startup
        // postgres-nio gives every released connection a keep-alive timer, and every one beyond
        // the minimum an idle timer too: a task, a task group and a Dispatch timer each, set on
        // every release and cancelled on the next lease (15% of a one-statement request's latency,
        // measured). So each loop's first connection stays open (a lease of it sets no idle
        // timer) and the keep-alive query is off: PostgreSQL's own TCP keep-alive (a start-up
        // parameter) keeps their NAT and firewall state fresh instead, and connections beyond the
        // minimum close after a minute idle, before such state expires. Where no start-up
        // parameter may be sent (PgBouncer, see the README) the pools keep postgres-nio's defaults:
        // every connection closes after a minute idle, and idle ones get a keep-alive query every
        // 30 s.
        if !startup.isEmpty {
            configuration.options.minimumConnections = Self.warmConnectionsPerLoop
            configuration.options.keepAliveBehavior = nil
        }
        self.statementTimeout = statementTimeout
        self.connectionWait = connectionWait
        self.metrics = DatabaseMetrics(factory: metrics, maximumConnections: maximumConnections)
        self.pools = EventLoopPools(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        self.logger = logger
        self.settings = settings
        self.connectionConfiguration = connection
        self.preparesStatements = settings.preparedStatements
    }

    /// How many connections each event loop's pool keeps open while idle.
    static let warmConnectionsPerLoop = 1

    /// The settings every pooled connection starts with (sent in the start-up packet, so they cost
    /// no round trip). With any of them sent, the server's TCP keep-alive is set too (a probe
    /// after 60 s idle), which keeps idle pooled connections alive through NAT and firewalls; a
    /// setup that takes no start-up parameters (PgBouncer, see the README) sends none, and its
    /// pool keeps postgres-nio's keep-alive query instead.
    static func startupParameters(statementTimeout: Duration?, settings: DatabaseURL.Postgres) -> [(String, String)] {
        var parameters: [(String, String)] = []
        if let statementTimeout {
            // client_connection_check_interval (PostgreSQL 14+): a backend whose client closed the
            // connection (Cairn does when the request's own client went away) ends its statement
            // within a second instead of at the timeout.
            parameters += [("statement_timeout", "\(max(1, statementTimeout.milliseconds))"), ("client_connection_check_interval", "1000")]
        }
        if !settings.parallelQuery { parameters.append(("max_parallel_workers_per_gather", "0")) }
        if !parameters.isEmpty { parameters += [("tcp_keepalives_idle", "60"), ("tcp_keepalives_interval", "10"), ("tcp_keepalives_count", "6")] }
        return parameters
    }

    /// Returns once ``run()`` has started the connection pools (see
    /// ``EventLoopPools/waitUntilRunning()``).
    public func waitUntilRunning() async {
        await pools.waitUntilRunning()
    }

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await pools.run()
        } onCancelOrGracefulShutdown: {
        }
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await onConnection { connection, logger in try await Self.run(connection, sql, binds, logger: logger) }
    }

    public func query<Row: SQLRowDecodable>(_ sql: String, _ binds: [SQLValue], as type: Row.Type) async throws -> [Row] {
        try await onConnection { connection, logger in try await Self.run(connection, sql, binds, as: type, logger: logger) }
    }

    public func query<Statement: FixedStatement, Row: SQLRowDecodable>(
        _ statement: Statement.Type, _ binds: [SQLValue], as type: Row.Type
    ) async throws -> [Row] {
        let prepared = preparesStatements
        return try await onConnection { connection, logger in
            try await Self.run(connection, statement, binds, as: type, prepared: prepared, logger: logger)
        }
    }

    public func queryReusingPlan(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let names = preparesStatements ? generatedStatements : nil
        return try await onConnection { connection, logger in
            try await Self.run(connection, reusingPlanOf: sql, binds, names: names, logger: logger)
        }
    }

    /// Runs one statement's `body` on a pooled connection; pool failures come back translated.
    /// A cancelled task (the request's client went away) closes the connection: postgres-nio
    /// cannot cancel a running statement, and PostgreSQL ends it once it sees the client gone.
    private func onConnection<T: Sendable>(_ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = self.logger
        let start = ContinuousClock.now
        defer { metrics.statementDuration.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        return try await recordingAvailability(translatingAll: true) {
            try await withPooledConnection { connection in
                try await withTaskCancellationHandler {
                    try await body(connection, logger)
                } onCancel: {
                    _ = connection.close() as EventLoopFuture<Void>
                }
            }
        }
    }

    /// Runs `body` with PostgreSQL's errors translated (every error when `translatingAll`: a
    /// lone statement throws nothing else; a transaction's body may throw its own errors, which
    /// pass unchanged), and `cairn_database_up` set from the outcome.
    private func recordingAvailability<T>(translatingAll: Bool = false, _ body: () async throws -> T) async throws -> T {
        let translated: SQLDatabaseError
        do {
            let result = try await body()
            metrics.up.set(1)
            return result
        } catch let error as SQLDatabaseError {
            translated = error
        } catch let error as PSQLError {
            translated = Self.translate(error)
        } catch {
            guard translatingAll else { throw error }
            translated = Self.translate(error)
        }
        if translated.kind == .unavailable { metrics.up.set(0) }
        throw translated
    }

    /// Leases a pooled connection for `body`, waiting at most ``connectionWait`` for it. The
    /// lease and the time-out race for one state, so a statement either starts on a connection
    /// or is refused unsent (never both: a write is not half-acknowledged as unavailable).
    private func withPooledConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let state = NIOLockedValueBox(LeaseState.waiting)
        let (pools, wait, metrics) = (self.pools, connectionWait, self.metrics)
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await pools.withConnection { connection in
                        let start = state.withLockedValue { current in
                            guard current == .waiting else { return false }
                            current = .leased
                            return true
                        }
                        guard start else { throw SQLDatabaseError(.unavailable, Self.noConnectionMessage(wait)) }
                        self.recordProgress()
                        metrics.connectionsInUse.increment()
                        defer {
                            metrics.connectionsInUse.decrement()
                            self.recordProgress()
                        }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    // Gives up once `wait` has passed with no connection leased or released.
                    var deadline = ContinuousClock.now + wait
                    while !Task.isCancelled {
                        await EventLoopTaskExecutor.shared.sleep(until: deadline)
                        let progressed = self.started + .nanoseconds(self.lastProgress.load(ordering: .relaxed))
                        guard progressed + wait > ContinuousClock.now else { break }
                        deadline = progressed + wait
                    }
                    return nil
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                    let abandoned = state.withLockedValue { current in
                        guard current == .waiting else { return false }
                        current = .abandoned
                        return true
                    }
                    if abandoned {
                        group.cancelAll()
                        throw SQLDatabaseError(.unavailable, Self.noConnectionMessage(wait))
                    }
                }
                throw SQLDatabaseError(.unavailable, Self.noConnectionMessage(wait))
            }
        }
    }

    private func recordProgress() {
        lastProgress.store((ContinuousClock.now - started).nanoseconds, ordering: .relaxed)
    }

    /// A statement's wait for a pooled connection: still waiting, got one, or given up on.
    private enum LeaseState { case waiting, leased, abandoned }

    private static func noConnectionMessage(_ wait: Duration) -> String {
        "no PostgreSQL connection could be had within \(wait.milliseconds) ms"
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        let (logger, prepared, generated) = (self.logger, preparesStatements, generatedStatements)
        let start = ContinuousClock.now
        defer { metrics.transactionDuration.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        return try await recordingAvailability {
            try await withPooledConnection { connection in
                let executor = Executor(connection: connection, logger: logger, preparesStatements: prepared, generatedStatements: generated)
                try await Self.run(connection, "BEGIN", [], logger: logger)
                do {
                    let result = try await body(executor)
                    try await Self.run(connection, "COMMIT", [], logger: logger)
                    return result
                } catch {
                    _ = try? await Self.run(connection, "ROLLBACK", [], logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `body` on one leased connection, outside any transaction (used by the migrator to
    /// hold a session-level advisory lock).
    public func withSession<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        let (logger, prepared, generated) = (self.logger, preparesStatements, generatedStatements)
        return try await recordingAvailability {
            try await withPooledConnection { connection in
                try await body(Executor(connection: connection, logger: logger, preparesStatements: prepared, generatedStatements: generated))
            }
        }
    }

    /// Does nothing: the pool closes its connections when ``run()`` ends (see ``SQLDatabase/close()``).
    public func close() async {}
}
