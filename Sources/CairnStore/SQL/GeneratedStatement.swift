import PostgresNIO
import Synchronization

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

    static var name: String { current.name }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// The names under which one pool's generated statements are prepared, one per text and kinds of
/// values bound (postgres-nio declares a statement's parameter types from the first call's
/// binds), the same on every connection.
///
/// A prepared statement lives as long as its connection (postgres-nio has no way to drop one),
/// in the PostgreSQL backend and in postgres-nio's table of the connection. So only the first
/// `capacity` texts of the pool get a name; any later text runs unprepared, as before. That
/// bounds what prepared statements a client's varied filters can pile up on each connection.
final class GeneratedStatementNames: Sendable {
    /// A text longer than this is never prepared.
    static let longestText = 16 * 1024

    private let capacity: Int
    private let names = Mutex<[String: String]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The name of `sql` with binds of these kinds, assigned now if there is room; nil when the
    /// statement is to run unprepared.
    func name(for sql: String, binds: [SQLValue]) -> String? {
        guard sql.utf8.count <= Self.longestText else { return nil }
        let key = binds.reduce(into: sql + "\u{0}") { key, value in key.append(Self.kind(of: value)) }
        return names.withLock { names in
            if let name = names[key] { return name }
            guard names.count < capacity else { return nil }
            let name = "cairn_generated_\(names.count)"
            names[key] = name
            return name
        }
    }

    private static func kind(of value: SQLValue) -> Character {
        switch value {
        case .null: "n"
        case .int: "i"
        case .double: "d"
        case .text: "t"
        case .textArray: "T"
        case .intArray: "I"
        case .doubleArray: "D"
        }
    }
}
