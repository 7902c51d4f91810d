/// A value bound to a SQL statement parameter, or read back from a result column.
///
/// The two engines share this one value type so that the tracking store's SQL (and the search
/// compiler's output) is written once. User text only ever travels as a bound value.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    /// Arrays bind as PostgreSQL arrays (for `UNNEST` batch writes); SQLite rejects them.
    case textArray([String])
    case intArray([Int64])
    case doubleArray([Double])

    /// The value as an integer, converting where the engine returned another numeric type.
    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let d): return Int64(exactly: d.rounded()) ?? nil
        case .text(let s): return Int64(s)
        case .null, .textArray, .intArray, .doubleArray: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .int(let v): return Double(v)
        case .text(let s): return Double(s)
        case .null, .textArray, .intArray, .doubleArray: return nil
        }
    }

    public var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let d): return String(d)
        case .null, .textArray, .intArray, .doubleArray: return nil
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// Which SQL engine a statement is for; the search compiler and the store use it for the few
/// places where PostgreSQL and SQLite spell things differently.
public enum SQLDialect: Sendable, Hashable {
    case postgres
    case sqlite

    /// A condition to put first in a search's `WHERE` (followed by `AND`) that ends the
    /// statement once the statement timeout has passed. PostgreSQL needs none (its own
    /// `statement_timeout` does it); on SQLite it is `cairn_deadline()`, which ``SQLiteDatabase``
    /// turns into a check of the clock, evaluated for every row the search looks at.
    public var deadlineCheck: String {
        switch self {
        case .postgres: ""
        case .sqlite: "\(SQLiteDatabase.deadlineMarker) AND "
        }
    }
}

/// Builds one parameterised statement: SQL text with `$1`, `$2`, … placeholders and the values
/// bound to them, in order. The SQLite driver rewrites `$N` to `?N`; nothing else differs.
public struct SQLBuilder: Sendable {
    public private(set) var sql: String
    public private(set) var binds: [SQLValue]
    public let dialect: SQLDialect

    public init(_ sql: String = "", dialect: SQLDialect) {
        self.sql = sql
        self.binds = []
        self.dialect = dialect
    }

    /// Adds a bound value and returns its placeholder (`$N`) to splice into the SQL text.
    public mutating func bind(_ value: SQLValue) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    public mutating func bind(_ text: String) -> String { bind(.text(text)) }
    public mutating func bind(_ int: Int64) -> String { bind(.int(int)) }
    public mutating func bind(_ double: Double) -> String { bind(.double(double)) }

    /// Appends trusted SQL text (constants written in Cairn's code, never user input).
    public mutating func append(_ text: String) {
        sql += text
    }
}
