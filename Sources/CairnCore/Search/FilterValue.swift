/// The right-hand side of a filter clause.
public enum FilterValue: Sendable, Hashable, CustomStringConvertible {
    /// An unquoted numeric literal.
    case number(Double)
    /// A quoted string (single or double quotes), escapes resolved.
    case string(String)
    /// The parenthesised list of an `IN` / `NOT IN` clause.
    case strings([String])
    /// No value: the clause is `IS NULL` or `IS NOT NULL`.
    case null

    /// The value as it would be written in a filter, for error messages.
    public var description: String {
        switch self {
        case .number(let value): Self.format(value)
        case .string(let text): "'\(text)'"
        case .strings(let texts): "(" + texts.map { "'\($0)'" }.joined(separator: ", ") + ")"
        case .null: "NULL"
        }
    }

    /// Formats a number the way a user would write it: `5`, not `5.0`.
    static func format(_ value: Double) -> String {
        if let integer = Int64(exactly: value), abs(value) < 1e15 { return String(integer) }
        return String(value)
    }
}
