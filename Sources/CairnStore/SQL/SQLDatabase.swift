/// Runs parameterised SQL on one engine. Implemented by ``PostgresDatabase`` and ``SQLiteDatabase``;
/// the tracking and registry stores are written once against this role.
public protocol SQLExecutor: Sendable {
    /// Which engine this is, for the few statements spelled differently.
    var dialect: SQLDialect { get }

    /// Runs one statement with `$N` placeholders and returns all rows.
    /// - Throws: ``SQLDatabaseError`` for engine failures (unique violations are recognisable).
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]

    /// Runs one statement and decodes each row as `Row`, straight from the engine's cells where
    /// it can (see ``SQLCells``).
    func query<Row: SQLRowDecodable>(_ sql: String, _ binds: [SQLValue], as type: Row.Type) async throws -> [Row]

    /// Runs a ``FixedStatement``, prepared once per connection where the engine can, and decodes
    /// each row as `Row`.
    func query<Statement: FixedStatement, Row: SQLRowDecodable>(_ statement: Statement.Type, _ binds: [SQLValue], as type: Row.Type) async throws
        -> [Row]

    /// Runs a generated statement whose text recurs with other values (an experiment search):
    /// where the engine can, it is prepared on each connection, so a recurring text skips parsing
    /// and planning (see ``PostgresDatabase``'s bound on how many texts are). Only for statements
    /// whose best plan does not depend on the values bound (small tables, primary keys): after
    /// five calls PostgreSQL may run one generic plan for every value.
    func queryReusingPlan(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// A database: an executor for single statements plus transactions.
public protocol SQLDatabase: SQLExecutor {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws
    /// (the error is rethrown unchanged, so a ``CairnCore/CairnError`` stays typed).
    func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Closes the connections an engine holds itself (SQLite's). A PostgreSQL pool is closed by
    /// ending its `run()` (cancel it, or shut its service group down), so there this does
    /// nothing. The database must not be used afterwards.
    func close() async
}

extension SQLExecutor {
    /// Runs the statement a builder holds.
    public func query(_ builder: SQLBuilder) async throws -> [SQLRow] {
        try await query(builder.sql, builder.binds)
    }

    /// Runs a generated statement as any other: the default for engines that prepare nothing.
    public func queryReusingPlan(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await query(sql, binds)
    }

    /// Runs the statement a builder holds (see ``queryReusingPlan(_:_:)``).
    public func queryReusingPlan(_ builder: SQLBuilder) async throws -> [SQLRow] {
        try await queryReusingPlan(builder.sql, builder.binds)
    }

    /// Runs a statement whose result is not needed.
    public func execute(_ sql: String, _ binds: [SQLValue] = []) async throws {
        _ = try await query(sql, binds)
    }
}

/// One result row: the column values in select-list order.
///
/// Rows of one result share a single flat buffer (`storage`, row `n` at `base = n * columns`):
/// building a row is a retain, not an allocation, which matters for results of 50,000 rows.
public struct SQLRow: Sendable {
    private let storage: [SQLValue]
    private let base: Int
    /// The number of columns.
    public let count: Int

    public init(_ values: [SQLValue]) {
        self.storage = values
        self.base = 0
        self.count = values.count
    }

    /// The rows of a result whose `columns` values per row are laid out one row after another.
    static func rows(flat storage: [SQLValue], columns: Int) -> [SQLRow] {
        guard columns > 0 else { return [] }
        return stride(from: 0, to: storage.count, by: columns).map { SQLRow(storage: storage, base: $0, count: columns) }
    }

    private init(storage: [SQLValue], base: Int, count: Int) {
        self.storage = storage
        self.base = base
        self.count = count
    }

    public subscript(_ index: Int) -> SQLValue { storage[base + index] }

    /// The column as text; `""` for NULL.
    public func string(_ index: Int) -> String { self[index].text ?? "" }
    public func optionalString(_ index: Int) -> String? { self[index].text }
    /// The column as an integer; 0 for NULL.
    public func int(_ index: Int) -> Int64 { self[index].int ?? 0 }
    public func optionalInt(_ index: Int) -> Int64? { self[index].int }
    public func double(_ index: Int) -> Double { self[index].double ?? 0 }
}

/// A failure inside the database engine (as opposed to a rule a request broke).
public struct SQLDatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A UNIQUE or PRIMARY KEY constraint was violated.
        case uniqueViolation
        /// A FOREIGN KEY constraint was violated.
        case foreignKeyViolation
        /// A value the engine cannot store (e.g. a NUL byte in PostgreSQL text): the client's fault.
        case invalidData
        /// The database could not be reached or the connection broke.
        case unavailable
        /// The statement ran past the statement timeout and was cancelled (PostgreSQL
        /// `statement_timeout`); the message says how long the limit is.
        case timedOut
        /// Anything else.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "database error (\(kind)): \(message)" }
}
