import CairnCore

/// SQL fragments shared by the entity search compilers. Column and table names passed in are
/// Cairn's constants; every user value goes through `SQLBuilder.bind`.
enum SearchSQL {
    /// How a filter value is bound.
    enum BindType {
        /// As text.
        case text
        /// As a double.
        case real
        /// As an integer when the value is integral, else as a double (for BIGINT time columns).
        case integer
        /// As an integer; text must be an integer (validated by CairnCore for identifiers).
        case identifier
    }

    /// `a AND b AND c`, parenthesised when there are several; `1=1` for none.
    static func conjunction(_ conditions: [String]) -> String {
        switch conditions.count {
        case 0: "1=1"
        case 1: conditions[0]
        default: "(" + conditions.joined(separator: " AND ") + ")"
        }
    }

    /// `ASC` or `DESC`.
    static func direction(_ ascending: Bool) -> String { ascending ? "ASC" : "DESC" }

    /// Compares a column (or expression) with a filter value.
    static func predicate(
        _ column: String,
        _ comparator: FilterComparator,
        _ value: FilterValue,
        as type: BindType,
        into builder: inout SQLBuilder
    ) throws(CairnError) -> String {
        switch comparator {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return "\(column) \(comparator.rawValue) \(builder.bind(try bindValue(value, as: type)))"
        case .like:
            return "\(column) LIKE \(builder.bind(try bindValue(value, as: .text))) ESCAPE '\\'"
        case .ilike:
            let pattern = builder.bind(try bindValue(value, as: .text))
            switch builder.dialect {
            case .postgres: return "\(column) ILIKE \(pattern) ESCAPE '\\'"
            case .sqlite: return "lower(\(column)) LIKE lower(\(pattern)) ESCAPE '\\'"
            }
        case .inList, .notInList:
            guard case .strings(let texts) = value, !texts.isEmpty else { throw mismatch(comparator, value) }
            var placeholders: [String] = []
            for text in texts {
                placeholders.append(builder.bind(try bindValue(.string(text), as: type)))
            }
            let keyword = comparator == .inList ? "IN" : "NOT IN"
            return "\(column) \(keyword) (\(placeholders.joined(separator: ", ")))"
        case .isNull:
            return "\(column) IS NULL"
        case .isNotNull:
            return "\(column) IS NOT NULL"
        }
    }

    /// A condition on a key/value child table (params, tags):
    /// `EXISTS (SELECT 1 FROM <table> WHERE <link> AND <alias>.key = $k AND <test>)`.
    /// - Parameters:
    ///   - table: the table and its alias, e.g. `"run_tags t"`.
    ///   - alias: the alias, e.g. `"t"`.
    ///   - link: the correlation, e.g. `"t.run_uuid = r.run_uuid"`.
    ///   - notEqualMatchesMissing: when true, `!=` is `NOT EXISTS (… value = $v)`, so entities
    ///     without the key match (MLflow's registry semantics); otherwise `!=` requires the key.
    ///   - indexedValueBytes: on PostgreSQL, the value length (in bytes) up to which a partial
    ///     index of the table holds values: an `=` with a value that fits adds
    ///     `octet_length(<alias>.value) <= N` (true of every row it can match), which is what lets
    ///     the planner use that index.
    static func keyValueCondition(
        _ clause: FilterClause,
        table: String,
        alias: String,
        link: String,
        notEqualMatchesMissing: Bool = false,
        indexedValueBytes: Int? = nil,
        into builder: inout SQLBuilder
    ) throws(CairnError) -> String {
        let keyTest = "\(alias).key = \(builder.bind(.text(clause.key.name)))"
        let scope = "SELECT 1 FROM \(table) WHERE \(link) AND \(keyTest)"
        switch clause.comparator {
        case .isNull:
            return "NOT EXISTS (\(scope))"
        case .isNotNull:
            return "EXISTS (\(scope))"
        case .notEqual where notEqualMatchesMissing:
            let test = try predicate("\(alias).value", .equal, clause.value, as: .text, into: &builder)
            return "NOT EXISTS (\(scope) AND \(test))"
        default:
            var test = try predicate("\(alias).value", clause.comparator, clause.value, as: .text, into: &builder)
            if let limit = indexedValueBytes, builder.dialect == .postgres, clause.comparator == .equal, case .string(let text) = clause.value,
                text.utf8.count <= limit
            {
                test += " AND octet_length(\(alias).value) <= \(limit)"
            }
            return "EXISTS (\(scope) AND \(test))"
        }
    }

    /// Order by a key/value child table's value: entities lacking the key sort last in both
    /// directions. Returns two `ORDER BY` items.
    static func keyValueOrder(
        _ order: OrderByClause,
        table: String,
        alias: String,
        link: String,
        into builder: inout SQLBuilder
    ) -> [String] {
        let key = builder.bind(.text(order.key.name))
        let value = "(SELECT \(alias).value FROM \(table) WHERE \(link) AND \(alias).key = \(key))"
        return keyValueSortKeys(order, table: table, alias: alias, link: link, into: &builder).map(\.sql)
    }

    /// ``keyValueOrder(_:table:alias:link:into:)`` as sort keys: entities lacking the key last
    /// (`CASE`, not `IS NULL`, so the key is a number on both engines), then the value.
    static func keyValueSortKeys(
        _ order: OrderByClause,
        table: String,
        alias: String,
        link: String,
        into builder: inout SQLBuilder
    ) -> [SortKey] {
        let key = builder.bind(.text(order.key.name))
        let value = "(SELECT \(alias).value FROM \(table) WHERE \(link) AND \(alias).key = \(key))"
        return [SortKey("CASE WHEN \(value) IS NULL THEN 1 ELSE 0 END", ascending: true), SortKey(value, ascending: order.ascending)]
    }

    /// Converts a filter value to a bound value of the given type.
    static func bindValue(_ value: FilterValue, as type: BindType) throws(CairnError) -> SQLValue {
        switch (value, type) {
        case (.string(let text), .text):
            return .text(text)
        case (.number(let number), .real):
            return .double(number)
        case (.number(let number), .integer):
            if let integer = Int64(exactly: number) { return .int(integer) }
            return .double(number)
        case (.string(let text), .identifier):
            guard let integer = Int64(text) else { break }
            return .int(integer)
        case (.number(let number), .identifier):
            guard let integer = Int64(exactly: number) else { break }
            return .int(integer)
        default:
            break
        }
        throw CairnError.invalidParameter("Invalid value \(value) in search filter")
    }

    /// The error for a key the validator should already have rejected.
    static func unsupported(_ key: FilterKey, _ what: String) -> CairnError {
        CairnError.invalidParameter("Invalid \(what) key '\(key)'")
    }

    private static func mismatch(_ comparator: FilterComparator, _ value: FilterValue) -> CairnError {
        CairnError.invalidParameter("Invalid value \(value) for comparator '\(comparator.rawValue)'")
    }
}
