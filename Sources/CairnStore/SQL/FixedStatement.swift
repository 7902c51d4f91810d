/// A statement whose text never changes (every value in it is a bind), named so that PostgreSQL
/// parses and plans it once per connection instead of on every call.
///
/// Planning is most of what PostgreSQL spends on a short read: the five-table details query of a
/// `runs/search` page took 5.7 ms per call as an unnamed statement and 2.9 ms prepared (pgbench,
/// one client, 101 runs). ``PostgresDatabase`` prepares a fixed statement on first use on each
/// pooled connection (postgres-nio's prepared statements); ``SQLiteDatabase`` runs the text as
/// any other statement. A connection pooler in front of PostgreSQL must keep protocol-level
/// prepared statements (PgBouncer 1.21+ with `max_prepared_statements`, or session pooling), or
/// the database URL must say `?prepared_statements=false` (then the text is sent every time).
///
/// Every call of one statement must bind the same ``SQLValue`` cases in the same positions:
/// postgres-nio declares the parameter types of the first call when it prepares the statement on
/// a connection, and later binds are sent in that call's binary format.
public protocol FixedStatement: SendableMetatype {
    /// Unique among fixed statements (postgres-nio finds a prepared statement by name alone):
    /// PostgreSQL's name for it is `cairn_` followed by this.
    static var name: String { get }
    /// The text, with `$N` placeholders.
    static var sql: String { get }
}

extension SQLExecutor {
    /// Runs a fixed statement as plain text: the default for engines without prepared statements.
    public func query<Statement: FixedStatement, Row: SQLRowDecodable>(
        _ statement: Statement.Type, _ binds: [SQLValue], as type: Row.Type
    ) async throws -> [Row] {
        try await query(Statement.sql, binds, as: type)
    }
}
