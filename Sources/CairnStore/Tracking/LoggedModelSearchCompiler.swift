import CairnCore

/// Compiles a `logged-models/search` filter (MLflow 3: attributes such as `name`, `model_id`,
/// `source_run_id`, `status`; `params.`, `tags.`, `metrics.`) to a condition on `logged_models m`.
enum LoggedModelSearchCompiler {
    static func compile(filter: String?, into builder: inout SQLBuilder) throws(CairnError) -> String {
        let expression = try FilterExpression.parse(filter, for: .loggedModels)
        var conditions: [String] = []
        for clause in expression.clauses {
            switch clause.key.kind {
            case .attribute:
                let columns = [
                    "name": ("m.name", SearchSQL.BindType.text), "model_id": ("m.model_id", .text), "model_type": ("m.model_type", .text),
                    "status": ("m.status", .text), "source_run_id": ("m.source_run_id", .text),
                    "creation_timestamp": ("m.creation_timestamp", .integer), "last_updated_timestamp": ("m.last_updated_timestamp", .integer),
                ]
                guard let attribute = SearchEntity.loggedModels.attribute(named: clause.key.name), let (column, type) = columns[attribute.name] else {
                    throw SearchSQL.unsupported(clause.key, "logged model attribute")
                }
                conditions.append(try SearchSQL.predicate(column, clause.comparator, clause.value, as: type, into: &builder))
            case .tag:
                conditions.append(
                    try SearchSQL.keyValueCondition(clause, table: "logged_model_tags t", alias: "t", link: "t.model_id = m.model_id", into: &builder)
                )
            case .param:
                conditions.append(
                    try SearchSQL.keyValueCondition(
                        clause, table: "logged_model_params p", alias: "p", link: "p.model_id = m.model_id", into: &builder))
            case .metric:
                let key = builder.bind(.text(clause.key.name))
                let test = try SearchSQL.predicate("lm.value", clause.comparator, clause.value, as: .real, into: &builder)
                conditions.append(
                    "EXISTS (SELECT 1 FROM logged_model_metrics lm WHERE lm.model_id = m.model_id AND lm.key = \(key) AND lm.is_nan = 0 AND \(test))")
            case .dataset:
                throw SearchSQL.unsupported(clause.key, "logged model filter")
            }
        }
        return SearchSQL.conjunction(conditions)
    }
}
