/// Checks parsed clauses and `order_by` keys against a ``SearchEntity``: allowed key kinds and
/// names, comparators per key, and value types. Returns canonical clauses (aliases resolved).
enum FilterValidator {
    /// Validates one clause and returns it with its key in canonical form.
    static func validate(_ clause: FilterClause, for entity: SearchEntity) throws(CairnError) -> FilterClause {
        var clause = clause
        let key = clause.key
        guard entity.filterKinds.contains(key.kind) else {
            throw invalidKind(key, at: clause.position, allowed: entity.filterKinds, for: entity)
        }
        let valueType: SearchAttribute.ValueType
        let comparators: Set<FilterComparator>
        switch key.kind {
        case .attribute:
            guard let attribute = entity.attribute(named: key.name), attribute.isSearchable else {
                let valid = entity.attributes.filter(\.isSearchable).flatMap { [$0.name] + $0.aliases }
                throw unknown("attribute", key.name, at: clause.position, valid: valid)
            }
            clause.key.name = attribute.name
            valueType = attribute.valueType
            comparators = attribute.comparators
        case .dataset:
            guard SearchEntity.datasetFields.contains(key.name) else {
                throw unknown("dataset", key.name, at: clause.position, valid: SearchEntity.datasetFields)
            }
            valueType = .string
            comparators = entity.comparators(for: .dataset)
        case .metric:
            valueType = .number
            comparators = entity.comparators(for: .metric)
        case .param, .tag:
            valueType = .string
            comparators = entity.comparators(for: key.kind)
        }
        // Value type first, as MLflow does: `params.lr > 0.01` is reported as an unquoted value.
        clause.value = try checkedValue(clause, valueType: valueType)
        guard comparators.contains(clause.comparator) else {
            throw CairnError.invalidParameter(
                "Invalid comparator '\(clause.comparator.rawValue)' for \(clause.key.phrase) at position \(clause.position). "
                    + "Valid comparators are \(FilterComparator.list(comparators))"
            )
        }
        return clause
    }

    /// Validates an `order_by` key and returns it in canonical form.
    static func validateOrderBy(_ key: FilterKey, at position: Int, for entity: SearchEntity) throws(CairnError) -> FilterKey {
        guard entity.orderByKinds.contains(key.kind) else {
            throw invalidKind(key, at: position, allowed: entity.orderByKinds, for: entity, context: "order_by")
        }
        guard key.kind == .attribute else { return key }
        guard let attribute = entity.attribute(named: key.name), attribute.isOrderable else {
            let valid = entity.attributes.filter(\.isOrderable).flatMap { [$0.name] + $0.aliases }
            throw unknown("order_by attribute", key.name, at: position, valid: valid)
        }
        return FilterKey(kind: .attribute, name: attribute.name)
    }

    private static func checkedValue(_ clause: FilterClause, valueType: SearchAttribute.ValueType) throws(CairnError) -> FilterValue {
        let value = clause.value
        let at = "at position \(clause.valuePosition)"
        switch (valueType, value) {
        case (_, .null):
            return value
        case (.number, .number):
            return value
        case (.number, _):
            throw CairnError.invalidParameter(
                "Expected numeric value type for \(clause.key.phrase) \(at). Found \(value)"
            )
        case (.string, .string(let pattern)):
            if clause.comparator == .like || clause.comparator == .ilike {
                try checkPattern(pattern, at: at)
            }
            return value
        case (.string, .strings):
            return value
        case (.string, .number):
            throw CairnError.invalidParameter(
                "Expected a quoted string value for \(clause.key.phrase) (e.g. 'my-value') \(at). Got value \(value)"
            )
        case (.integerIdentifier, .number(let number)):
            guard let integer = Int64(exactly: number) else { throw invalidIdentifier(clause, value, at: at) }
            return .string(String(integer))
        case (.integerIdentifier, .string(let text)):
            guard Int64(text) != nil else { throw invalidIdentifier(clause, value, at: at) }
            return value
        case (.integerIdentifier, .strings(let texts)):
            for text in texts where Int64(text) == nil {
                throw invalidIdentifier(clause, .string(text), at: at)
            }
            return value
        }
    }

    /// A LIKE pattern may not end with an unescaped backslash (PostgreSQL rejects it at run time).
    private static func checkPattern(_ pattern: String, at: String) throws(CairnError) {
        let trailing = pattern.reversed().prefix { $0 == "\\" }.count
        if trailing % 2 == 1 {
            throw CairnError.invalidParameter("Invalid LIKE pattern '\(pattern)' \(at): it must not end with the escape character '\\'")
        }
    }

    private static func invalidIdentifier(_ clause: FilterClause, _ value: FilterValue, at: String) -> CairnError {
        CairnError.invalidParameter("Invalid value \(value) for \(clause.key.phrase) \(at): expected an integer identifier")
    }

    private static func invalidKind(
        _ key: FilterKey,
        at position: Int,
        allowed: [FilterKey.Kind],
        for entity: SearchEntity,
        context: String = "filter"
    ) -> CairnError {
        let valid = allowed.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return CairnError.invalidParameter(
            "Invalid entity type '\(key.kind.rawValue)' at position \(position) in \(entity.noun) \(context). Valid entity types are [\(valid)]"
        )
    }

    private static func unknown(_ what: String, _ name: String, at position: Int, valid: [String]) -> CairnError {
        let list = valid.map { "'\($0)'" }.joined(separator: ", ")
        return CairnError.invalidParameter("Invalid \(what) key '\(name)' specified at position \(position). Valid keys are [\(list)]")
    }
}
