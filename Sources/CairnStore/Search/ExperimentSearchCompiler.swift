import CairnCore

/// Compiles an `experiments/search` filter and `order_by` list to SQL over `experiments e`.
///
/// `experiment_id` values are bound as integers (the column is BIGINT); `tags.k` conditions
/// require the tag to exist, also for `!=`. The default order is `creation_time DESC`, and
/// `experiment_id ASC` always ends the list as the tie-breaker.
public enum ExperimentSearchCompiler {
    /// Parses, validates and compiles an experiment search.
    /// - Parameters:
    ///   - filter: the request's `filter`; `nil` or blank for none.
    ///   - orderBy: the request's `order_by` entries; blank entries are ignored.
    ///   - builder: receives every bound value; its `sql` is not touched.
    /// - Returns: the condition and `ORDER BY` list to splice into a query over `experiments e`.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a bad filter or `order_by`.
    public static func compile(filter: String?, orderBy: [String], into builder: inout SQLBuilder) throws(CairnError) -> CompiledSearch {
        let expression = try FilterExpression.parse(filter, for: .experiments)
        let orders = try OrderByClause.parseList(orderBy, for: .experiments)
        return try compile(expression, orderBy: orders, into: &builder)
    }

    /// Compiles an already-validated experiment search.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a key experiments do not have.
    public static func compile(
        _ expression: FilterExpression,
        orderBy: [OrderByClause],
        into builder: inout SQLBuilder
    ) throws(CairnError) -> CompiledSearch {
        var conditions: [String] = []
        for clause in expression.clauses {
            switch clause.key.kind {
            case .tag:
                conditions.append(
                    try SearchSQL.keyValueCondition(
                        clause, table: "experiment_tags et", alias: "et", link: "et.experiment_id = e.experiment_id", into: &builder
                    )
                )
            case .attribute:
                let (column, type) = try attributeColumn(clause.key)
                conditions.append(try SearchSQL.predicate(column, clause.comparator, clause.value, as: type, into: &builder))
            case .metric, .param, .dataset:
                throw SearchSQL.unsupported(clause.key, "experiment filter")
            }
        }
        var items: [String] = []
        for order in orderBy {
            guard order.key.kind == .attribute else { throw SearchSQL.unsupported(order.key, "experiment order_by") }
            let (column, _) = try attributeColumn(order.key)
            items.append("\(column) \(SearchSQL.direction(order.ascending))")
        }
        if items.isEmpty { items.append("e.creation_time DESC") }
        if !items.contains(where: { $0.hasPrefix("e.experiment_id ") }) { items.append("e.experiment_id ASC") }
        return CompiledSearch(whereSQL: SearchSQL.conjunction(conditions), orderBySQL: items.joined(separator: ", "))
    }

    private static func attributeColumn(_ key: FilterKey) throws(CairnError) -> (String, SearchSQL.BindType) {
        switch key.name {
        case "name": ("e.name", .text)
        case "experiment_id": ("e.experiment_id", .identifier)
        case "creation_time": ("e.creation_time", .integer)
        case "last_update_time": ("e.last_update_time", .integer)
        default: throw SearchSQL.unsupported(key, "experiment attribute")
        }
    }
}
