import PostgresNIO

/// A generated statement (see ``SQLExecutor/queryReusingPlan(_:_:)``) as postgres-nio's prepared
/// statement.
///
/// postgres-nio takes a prepared statement's name and text from its type (static properties), as
/// it was made for statements fixed at compile time. Here one type serves every generated text:
/// both come from a task-local value that ``PostgresDatabase`` sets around the call, and
/// postgres-nio reads them in the calling task, when it sends the statement and when it reports
/// an error. Rows come back undecoded.
struct GeneratedStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        let name: String
        let sql: String
    }

    @TaskLocal static var current = Text(name: "", sql: "")

    /// Never empty: PostgreSQL's unnamed statement is replaced by every unprepared query, so a
    /// call outside ``current``'s scope would run whatever was sent last.
    static var name: String {
        precondition(!current.name.isEmpty, "a generated statement runs only inside GeneratedStatement.$current.withValue")
        return current.name
    }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}
