import CairnCore

/// Compiles a `model-versions/search` filter and `order_by` list to SQL over `model_versions v`
/// (columns `name`, `version`, `source`, `run_id`, `creation_time`, `last_updated_time`) and
/// `model_version_tags (name, version, key, value)`.
///
/// `source_path` maps to `v.source` and `version_number` to `v.version`. As for registered
/// models, `tags.k != 'v'` also matches versions without the tag. Without `order_by` the order is
/// MLflow's: the most recently updated first (`last_updated_timestamp DESC, name ASC,
/// version_number DESC`); `name ASC, version DESC` also end every list as tie-breakers. A key
/// named twice is refused with MLflow's answer (500 `INTERNAL_ERROR`, as its SQL store raises a
/// bare `MlflowException`).
///
/// > Note: hiding deleted versions (MLflow's `Deleted_Internal` stage) is the caller's condition.
public enum ModelVersionSearchCompiler {
    /// Parses, validates and compiles a model-version search.
    /// - Parameters:
    ///   - filter: the request's `filter`; `nil` or blank for none.
    ///   - orderBy: the request's `order_by` entries; blank entries are ignored.
    ///   - builder: receives every bound value; its `sql` is not touched.
    /// - Returns: the condition and `ORDER BY` list to splice into a query over `model_versions v`.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a bad filter or `order_by`.
    public static func compile(filter: String?, orderBy: [String], into builder: inout SQLBuilder) throws(CairnError) -> CompiledSearch {
        let expression = try FilterExpression.parse(filter, for: .modelVersions)
        let orders = try OrderByClause.parseList(orderBy, for: .modelVersions)
        // A duplicate is named with the list as the request gave it, in MLflow's message.
        return try compile(expression, orderBy: orders, orderByTexts: orderBy, into: &builder)
    }

    /// MLflow's text for an `order_by` that names a key twice, the list written as Python's repr.
    /// (MLflow answers it 500; Cairn 400: bad input never gets a 5xx.)
    private static func duplicateOrderBy(_ texts: [String]) -> CairnError {
        let list = texts.map { "'\($0)'" }
        return CairnError.invalidParameter("`order_by` contains duplicate fields: [\(list.joined(separator: ", "))]")
    }

    /// Compiles an already-validated search.
    /// - Throws: ``CairnError`` `INVALID_PARAMETER_VALUE` for a key model versions do not have.
    /// - Parameter orderByTexts: the `order_by` entries as the request wrote them, for the error
    ///   naming a key given twice (default: the keys' names).
    public static func compile(
        _ expression: FilterExpression,
        orderBy orders: [OrderByClause],
        orderByTexts: [String]? = nil,
        into builder: inout SQLBuilder
    ) throws(CairnError) -> CompiledSearch {
        var conditions: [String] = []
        for clause in expression.clauses {
            switch clause.key.kind {
            case .tag:
                conditions.append(
                    try SearchSQL.keyValueCondition(
                        clause, table: "model_version_tags vt", alias: "vt", link: "vt.name = v.name AND vt.version = v.version",
                        notEqualMatchesMissing: true, into: &builder
                    )
                )
            case .attribute:
                let (column, type) = try column(for: clause.key)
                conditions.append(try SearchSQL.predicate(column, clause.comparator, clause.value, as: type, into: &builder))
            default:
                throw SearchSQL.unsupported(clause.key, "model version filter")
            }
        }
        var items: [String] = []
        var seen: Set<String> = []
        for order in orders {
            let column = try column(for: order.key).0
            guard seen.insert(column).inserted else { throw duplicateOrderBy(orderByTexts ?? orders.map(\.key.name)) }
            items.append("\(column) \(SearchSQL.direction(order.ascending))")
        }
        if orders.isEmpty { items.append("v.last_updated_time DESC") }
        if !items.contains(where: { $0.hasPrefix("v.name ") }) { items.append("v.name ASC") }
        if !items.contains(where: { $0.hasPrefix("v.version ") }) { items.append("v.version DESC") }
        return CompiledSearch(whereSQL: SearchSQL.conjunction(conditions), orderBySQL: items.joined(separator: ", "))
    }

    private static func column(for key: FilterKey) throws(CairnError) -> (String, SearchSQL.BindType) {
        switch key.name {
        case "name": ("v.name", .text)
        case "run_id": ("v.run_id", .text)
        case "source_path": ("v.source", .text)
        case "version_number": ("v.version", .integer)
        case "creation_timestamp": ("v.creation_time", .integer)
        case "last_updated_timestamp": ("v.last_updated_time", .integer)
        default: throw SearchSQL.unsupported(key, "model version attribute")
        }
    }
}
