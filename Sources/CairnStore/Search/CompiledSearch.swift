/// The SQL a search compiler produced. Every user value is already bound in the caller's
/// ``SQLBuilder``; these strings contain only Cairn's constants and `$N` placeholders.
///
/// ```swift
/// var builder = SQLBuilder(dialect: .postgres)
/// let search = try RunSearchCompiler.compile(filter: filter, orderBy: orderBy, into: &builder)
/// builder.append("SELECT r.run_uuid FROM runs r WHERE r.experiment_id = \(builder.bind(Int64(1)))")
/// builder.append(" AND \(search.whereSQL) ORDER BY \(search.orderBySQL)")
/// ```
///
/// Placeholders are numbered by bind order, not by their place in the text, so fragments can be
/// spliced in any order as long as every bind goes through the same builder.
public struct CompiledSearch: Sendable, Hashable {
    /// A boolean condition, `1=1` when there is no filter; parenthesised when it has several
    /// clauses, so it can be combined with `AND` or `OR` safely.
    public var whereSQL: String
    /// The list to write after `ORDER BY`; it always ends with a unique tie-breaker, so offset
    /// pagination is deterministic.
    public var orderBySQL: String
    /// The `ORDER BY` list as expressions and directions, for keyset paging (empty for searches
    /// that page by offset).
    public var sortKeys: [SortKey]
    /// Joins to write after the `FROM` item (e.g. `LEFT JOIN latest_metrics o0 ON …` for ordering
    /// by a metric); empty when none are needed.
    public var joinSQL: String

    /// Creates a compiled search.
    public init(whereSQL: String, orderBySQL: String, joinSQL: String = "", sortKeys: [SortKey] = []) {
        self.whereSQL = whereSQL
        self.orderBySQL = orderBySQL
        self.joinSQL = joinSQL
        self.sortKeys = sortKeys
    }
}

/// One `ORDER BY` item: an SQL expression (never NULL where the ordering depends on it: nullable
/// values are preceded by a key that sorts their absence apart) and its direction.
public struct SortKey: Sendable, Hashable {
    public var expression: String
    public var ascending: Bool

    public init(_ expression: String, ascending: Bool) {
        self.expression = expression
        self.ascending = ascending
    }

    /// `expression ASC|DESC`.
    public var sql: String { "\(expression) \(ascending ? "ASC" : "DESC")" }
}
