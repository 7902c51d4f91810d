import CairnCore

/// Compiles a `registered-models/search` filter and `order_by` list to SQL over
/// `registered_models m` (columns `name`, `creation_time`, `last_updated_time`) and
/// `registered_model_tags (name, key, value)`.
///
/// `tags.k != 'v'` also matches models without the tag: the MLflow client appends
/// ``tag.`mlflow.prompt.is_prompt` != 'true'`` to every model search and untagged models must
/// match. The default order is `name ASC`, which also ends every list as the tie-breaker.
public enum RegisteredModelSearchCompiler {
    /// Parses, validates and compiles a registered-model search.
    /// - Parameters:
    ///   - filter: the request's `filter`; `nil` or blank for none.
    ///   - orderBy: the request's `order_by` entries; blank entries are ignored.
    ///   - builder: receives every bound value; its `sql` is not touched.
    /// - Returns: the condition and `ORDER BY` list to splice into a query over `registered_models m`.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a bad filter or `order_by`.
    public static func compile(filter: String?, orderBy: [String], into builder: inout SQLBuilder) throws(CairnError) -> CompiledSearch {
        let expression = try FilterExpression.parse(filter, for: .registeredModels)
        let orders = try OrderByClause.parseList(orderBy, for: .registeredModels)
        return try compile(expression, orderBy: orders, into: &builder)
    }

    /// Compiles an already-validated search.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a key registered models do not have.
    public static func compile(
        _ expression: FilterExpression,
        orderBy orders: [OrderByClause],
        into builder: inout SQLBuilder
    ) throws(CairnError) -> CompiledSearch {
        var conditions: [String] = []
        for clause in expression.clauses {
            switch clause.key.kind {
            case .tag:
                conditions.append(
                    try SearchSQL.keyValueCondition(
                        clause, table: "registered_model_tags mt", alias: "mt", link: "mt.name = m.name",
                        notEqualMatchesMissing: true, into: &builder
                    )
                )
            case .attribute where clause.key.name == "name":
                conditions.append(try SearchSQL.predicate("m.name", clause.comparator, clause.value, as: .text, into: &builder))
            default:
                throw SearchSQL.unsupported(clause.key, "registered model filter")
            }
        }
        var items: [String] = []
        for order in orders {
            let column: String
            switch order.key.name {
            case "name": column = "m.name"
            case "creation_timestamp": column = "m.creation_time"
            case "last_updated_timestamp": column = "m.last_updated_time"
            default: throw SearchSQL.unsupported(order.key, "registered model order_by")
            }
            items.append("\(column) \(SearchSQL.direction(order.ascending))")
        }
        if !items.contains(where: { $0.hasPrefix("m.name ") }) { items.append("m.name ASC") }
        return CompiledSearch(whereSQL: SearchSQL.conjunction(conditions), orderBySQL: items.joined(separator: ", "))
    }
}
