/// One `order_by` entry of a search request: a key and a direction.
///
/// Written as `key [ASC|DESC]` (case-insensitive), e.g. `metrics.acc DESC`, ``params.`learning rate` ``,
/// `attributes.start_time ASC`; ascending when no direction is given.
public struct OrderByClause: Sendable, Hashable {
    /// The key to order by, in canonical form (aliases resolved).
    public var key: FilterKey
    /// Whether the order is ascending.
    public var ascending: Bool

    /// Creates an entry.
    public init(key: FilterKey, ascending: Bool = true) {
        self.key = key
        self.ascending = ascending
    }

    /// Parses and validates one `order_by` entry for an entity. An entry sent again is not parsed
    /// again (``SearchParseMemo``).
    /// - Parameters:
    ///   - text: the entry, e.g. `"metrics.acc DESC"`.
    ///   - entity: what is searched.
    /// - Throws: ``CairnError/invalidParameter(_:file:line:)`` for a syntax error, a key kind or
    ///   attribute the entity cannot order by, or trailing text, naming its position.
    public static func parse(_ text: String, for entity: SearchEntity) throws(CairnError) -> OrderByClause {
        try memo.value(of: text, for: entity) { () throws(CairnError) in try parseUnmemoized(text, for: entity) }
    }

    /// The entries parsed lately.
    static let memo = SearchParseMemo<OrderByClause>()

    /// ``parse(_:for:)`` without the memo.
    static func parseUnmemoized(_ text: String, for entity: SearchEntity) throws(CairnError) -> OrderByClause {
        var parser = try FilterParser(source: text)
        let parsed = try parser.parseOrderBy(source: text)
        let key = try FilterValidator.validateOrderBy(parsed.key, at: parsed.position, for: entity)
        return OrderByClause(key: key, ascending: parsed.ascending)
    }

    /// Parses a request's `order_by` list, skipping blank entries.
    /// - Throws: as ``parse(_:for:)``, and for more than ``Limits/maxOrderByKeys`` entries.
    public static func parseList(_ texts: [String], for entity: SearchEntity) throws(CairnError) -> [OrderByClause] {
        guard texts.count <= Limits.maxOrderByKeys else {
            throw CairnError.invalidParameter("Invalid order_by: \(texts.count) keys given; at most \(Limits.maxOrderByKeys) are accepted")
        }
        var clauses: [OrderByClause] = []
        for text in texts where !text.allSatisfy(\.isWhitespace) {
            clauses.append(try parse(text, for: entity))
        }
        return clauses
    }
}
