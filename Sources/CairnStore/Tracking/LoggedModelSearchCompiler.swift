import CairnCore

/// Compiles a `logged-models/search` filter (MLflow 3: attributes such as `name`, `model_id`,
/// `source_run_id`, `status`; `params.`, `tags.`, `metrics.`) to a condition on `logged_models m`.
enum LoggedModelSearchCompiler {
    static func compile(
        filter: String?, datasets: [LoggedModelSearchRequest.Dataset] = [], into builder: inout SQLBuilder
    ) throws(CairnError) -> String {
        let expression = try FilterExpression.parse(filter, for: .loggedModels)
        var conditions: [String] = []
        let onDatasets = try datasetCondition(datasets, alias: "lm", into: &builder)
        var comparesMetrics = false
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
                comparesMetrics = true
                conditions.append(
                    "EXISTS (SELECT 1 FROM logged_model_metrics lm WHERE lm.model_id = m.model_id AND lm.key = \(key) AND lm.is_nan = 0 AND \(test)\(onDatasets.map { " AND \($0)" } ?? ""))"
                )
            case .dataset:
                throw SearchSQL.unsupported(clause.key, "logged model filter")
            }
        }
        // Datasets without a metric comparison: models with any metric on one of them.
        if let onDatasets, !comparesMetrics {
            conditions.append("EXISTS (SELECT 1 FROM logged_model_metrics lm WHERE lm.model_id = m.model_id AND \(onDatasets))")
        }
        return SearchSQL.conjunction(conditions)
    }

    /// `(a.dataset_name = $n AND a.dataset_digest = $d) OR …`, nil for no datasets. A clause
    /// without a digest matches the name alone (MLflow's REST handler compares it to NULL, so
    /// there it matches nothing; its client documents the name-only filter, which this keeps).
    /// - Throws: 400 when a clause has no `dataset_name`, with MLflow's text.
    static func datasetCondition(
        _ datasets: [LoggedModelSearchRequest.Dataset], alias: String, into builder: inout SQLBuilder
    ) throws(CairnError) -> String? {
        guard !datasets.isEmpty else { return nil }
        var alternatives: [String] = []
        for dataset in datasets {
            guard let name = dataset.name, !name.isEmpty else {
                throw .invalidParameter("`dataset_name` in the `datasets` clause must be specified.")
            }
            var test = "\(alias).dataset_name = \(builder.bind(.text(name)))"
            if let digest = dataset.digest, !digest.isEmpty { test += " AND \(alias).dataset_digest = \(builder.bind(.text(digest)))" }
            alternatives.append("(\(test))")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The ORDER BY terms for `order_by` (then newest first, then id, for a stable order). A
    /// metric sorts by its latest value on the model (on the entry's dataset when it names one);
    /// models without one come last, whichever the direction.
    static func orderBy(_ orders: [LoggedModelSearchRequest.Order], into builder: inout SQLBuilder) throws(CairnError) -> String {
        let attributes = [
            "name": "m.name", "model_id": "m.model_id", "creation_timestamp": "m.creation_timestamp", "creation_time": "m.creation_timestamp",
            "last_updated_timestamp": "m.last_updated_timestamp", "status": "m.status", "model_type": "m.model_type",
            "source_run_id": "m.source_run_id",
        ]
        var terms: [String] = []
        for order in orders {
            let direction = order.ascending ? "ASC" : "DESC"
            if order.field.hasPrefix("metrics.") {
                let key = builder.bind(.text(String(order.field.dropFirst("metrics.".count))))
                let onDataset = try order.dataset.flatMap { dataset throws(CairnError) in
                    try datasetCondition([dataset], alias: "lm", into: &builder)
                }
                let value = """
                    (SELECT lm.value FROM logged_model_metrics lm WHERE lm.model_id = m.model_id AND lm.key = \(key) AND lm.is_nan = 0\(onDataset.map { " AND \($0)" } ?? "") \
                    ORDER BY lm.timestamp DESC, lm.step DESC LIMIT 1)
                    """
                terms.append("\(value) IS NULL, \(value) \(direction)")
            } else if let column = attributes[order.field.hasPrefix("attributes.") ? String(order.field.dropFirst("attributes.".count)) : order.field]
            {
                terms.append("\(column) \(direction)")
            } else {
                throw .invalidParameter("Invalid order_by field name '\(order.field)' for logged models")
            }
        }
        return (terms + ["m.creation_timestamp DESC", "m.model_id"]).joined(separator: ", ")
    }
}
