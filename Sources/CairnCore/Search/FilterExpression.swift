/// A parsed search filter: a conjunction (`AND`) of ``FilterClause``s. An empty filter has no
/// clauses and matches everything.
///
/// ```swift
/// let filter = try FilterExpression.parse("metrics.acc > 0.9 AND tags.mlflow.runName LIKE 'cv-%'", for: .runs)
/// ```
public struct FilterExpression: Sendable, Hashable {
    /// The clauses, in the order written; all must hold.
    public var clauses: [FilterClause]

    /// Creates an expression from clauses.
    public init(clauses: [FilterClause] = []) {
        self.clauses = clauses
    }

    /// Whether the filter has no clauses.
    public var isEmpty: Bool { clauses.isEmpty }

    /// Parses a filter and validates it against an entity's searchable keys, comparators and
    /// value types. Attribute aliases are resolved (`created` → `start_time`, `"run name"` →
    /// `run_name`), and `experiment_id` values are checked to be integers. A filter sent again is
    /// not parsed again (``SearchParseMemo``).
    /// - Parameters:
    ///   - filter: the filter text; `nil`, empty or blank means no filter.
    ///   - entity: what is searched.
    /// - Throws: ``CairnError/invalidParameter(_:file:line:)`` naming the problem and its position.
    public static func parse(_ filter: String?, for entity: SearchEntity) throws(CairnError) -> FilterExpression {
        guard let filter, !filter.isEmpty else { return FilterExpression() }
        return try memo.value(of: filter, for: entity) { () throws(CairnError) in try parseUnmemoized(filter, for: entity) }
    }

    /// The filters parsed lately.
    static let memo = SearchParseMemo<FilterExpression>()

    /// ``parse(_:for:)`` without the memo.
    static func parseUnmemoized(_ filter: String, for entity: SearchEntity) throws(CairnError) -> FilterExpression {
        var expression = try parseSyntax(filter)
        for index in expression.clauses.indices {
            expression.clauses[index] = try FilterValidator.validate(expression.clauses[index], for: entity)
        }
        return expression
    }

    /// Parses a filter's syntax only: keys keep their names as written and no entity rules apply.
    /// - Parameter filter: the filter text; `nil`, empty or blank means no filter.
    /// - Throws: ``CairnError/invalidParameter(_:file:line:)`` for a syntax error, naming its position.
    public static func parseSyntax(_ filter: String?) throws(CairnError) -> FilterExpression {
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return FilterExpression() }
        var parser = try FilterParser(source: filter)
        return FilterExpression(clauses: try parser.parseConjunction())
    }
}
