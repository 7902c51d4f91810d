import CoreMetrics
import Logging

/// Opens the configured database (creating its file, or checking that PostgreSQL can be used
/// and making its pool).
/// - Parameters:
///   - statementTimeout: the longest a PostgreSQL statement, or an SQLite search, may run
///     (nil: no limit).
///   - startupWait: how long a PostgreSQL server that cannot be reached yet is waited for; an
///     authentication, `pg_hba.conf` or TLS failure ends at once (see
///     ``PostgresDatabase/checkConnection(waitingUpTo:)``).
///   - metrics: where the PostgreSQL pool's figures go (``DatabaseMetrics``).
/// - Throws: ``DatabaseURLError`` for TLS files that cannot be used, ``SQLDatabaseError`` saying
///   why PostgreSQL cannot be used.
public func openDatabase(
    _ url: DatabaseURL, maximumConnections: Int = 20, statementTimeout: Duration? = nil, startupWait: Duration = .seconds(60),
    metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
) async throws -> any SQLDatabase {
    switch url {
    case .sqlite(let path):
        return try await SQLiteDatabase.open(path: path, statementTimeout: statementTimeout, logger: logger)
    case .postgres(let settings):
        let database = try PostgresDatabase(
            settings: settings, maximumConnections: maximumConnections, statementTimeout: statementTimeout, metrics: metrics, logger: logger)
        try await database.checkConnection(waitingUpTo: startupWait)
        return database
    }
}

/// Opens a database for one short piece of work (a command such as `cairn migrate`, `gc` or
/// `tokens`): runs its connection pool while `body` runs, applies pending migrations first, and
/// closes the database afterwards, also when `body` throws. `cairn serve` opens its database with
/// ``openDatabase(_:maximumConnections:statementTimeout:startupWait:metrics:logger:)`` instead and runs the pool as a
/// lifecycle service.
/// - Parameter body: the work, given the database and the migration versions applied now.
public func withMigratedDatabase<T: Sendable>(
    _ url: DatabaseURL, maximumConnections: Int = 2, logger: Logger, _ body: @Sendable (any SQLDatabase, [Int]) async throws -> T
) async throws -> T {
    let database = try await openDatabase(url, maximumConnections: maximumConnections, logger: logger)
    do {
        let result = try await withThrowingTaskGroup(of: T?.self) { group in
            if let postgres = database as? PostgresDatabase {
                group.addTask {
                    try await postgres.run()
                    return nil
                }
                await postgres.waitUntilRunning()
            }
            defer { group.cancelAll() }
            let applied = try await Migrator(logger: logger).migrate(database)
            return try await body(database, applied)
        }
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}
