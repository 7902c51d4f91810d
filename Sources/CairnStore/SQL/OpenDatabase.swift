import Logging

/// Opens the configured database (creating its file or connecting its pool).
/// - Parameter statementTimeout: the longest a PostgreSQL statement, or an SQLite search, may run
///   (nil: no limit).
public func openDatabase(_ url: DatabaseURL, maximumConnections: Int = 20, statementTimeout: Duration? = nil, logger: Logger) async throws
    -> any SQLDatabase
{
    switch url {
    case .sqlite(let path):
        return try await SQLiteDatabase.open(path: path, statementTimeout: statementTimeout, logger: logger)
    case .postgres(let settings):
        return PostgresDatabase(settings: settings, maximumConnections: maximumConnections, statementTimeout: statementTimeout, logger: logger)
    }
}
