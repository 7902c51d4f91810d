/// A recursive-descent parser over ``FilterToken``s for filters and `order_by` entries.
///
///     conjunction := clause ( AND clause )*
///     clause      := key comparator value
///     key         := word | word"."-ending + adjacent quoted | "quoted" | `quoted`
///     comparator  := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
///     value       := number | 'string' | "string" | ( 'string' [, 'string']* )
///     orderBy     := key [ ASC | DESC ]
struct FilterParser {
    private let tokens: [FilterToken]
    private let length: Int
    private var index = 0
    /// Values of every `IN` list so far: each is one bind, and SQLite takes at most 32,766.
    private var listValues = 0

    init(source: String) throws(CairnError) {
        tokens = try FilterLexer.tokenize(source)
        length = source.count
    }

    private var current: FilterToken? { index < tokens.count ? tokens[index] : nil }
    private var endDescription: String { "end of filter (position \(length))" }

    private mutating func advance() { index += 1 }

    /// Parses `clause (AND clause)*` up to the end of the input.
    mutating func parseConjunction() throws(CairnError) -> [FilterClause] {
        var clauses: [FilterClause] = []
        while true {
            guard clauses.count < Limits.maxFilterClauses else {
                throw CairnError.invalidParameter(
                    "Invalid filter string: more than \(Limits.maxFilterClauses) clauses (the limit keeps each search bounded)")
            }
            clauses.append(try parseClause())
            guard let token = current else { return clauses }
            if token.isKeyword("AND") {
                advance()
                if current == nil {
                    throw CairnError.invalidParameter("Expected a clause after 'AND' at position \(token.position), found \(endDescription)")
                }
            } else if token.isKeyword("OR") {
                throw CairnError.invalidParameter(
                    "Invalid clause(s) in filter string: 'OR' at position \(token.position); only AND is supported"
                )
            } else {
                throw CairnError.invalidParameter(
                    "Invalid clause(s) in filter string: '\(token.display)' at position \(token.position); expected AND or the end of the filter"
                )
            }
        }
    }

    /// Parses `key [ASC|DESC]` and requires the end of the input.
    mutating func parseOrderBy(source: String) throws(CairnError) -> (key: FilterKey, ascending: Bool, position: Int) {
        guard let first = current else {
            throw CairnError.invalidParameter("Invalid order_by clause '\(source)'. Expected a key")
        }
        let key = try parseKey()
        var ascending = true
        if let token = current, token.isKeyword("ASC") || token.isKeyword("DESC") {
            ascending = token.isKeyword("ASC")
            advance()
        }
        if let token = current {
            throw CairnError.invalidParameter(
                "Invalid order_by clause '\(source)'. Unexpected '\(token.display)' at position \(token.position); expected ASC or DESC"
            )
        }
        return (key, ascending, first.position)
    }

    private mutating func parseClause() throws(CairnError) -> FilterClause {
        guard let token = current else {
            throw CairnError.invalidParameter("Expected a clause at \(endDescription)")
        }
        if token.kind == .leftParenthesis || token.kind == .rightParenthesis {
            throw CairnError.invalidParameter(
                "Invalid clause(s) in filter string: '\(token.text)' at position \(token.position); parentheses are not supported"
            )
        }
        if token.isKeyword("AND") || token.isKeyword("OR") || token.isKeyword("NOT") {
            throw CairnError.invalidParameter(
                "Invalid clause(s) in filter string: '\(token.text)' at position \(token.position); expected a key"
            )
        }
        let key = try parseKey()
        let comparatorPosition = current?.position ?? length
        let comparator = try parseComparator(after: key)
        let valuePosition = current?.position ?? length
        let value = try parseValue(for: comparator)
        return FilterClause(
            key: key,
            comparator: comparator,
            value: value,
            position: token.position,
            valuePosition: comparator.takesNoValue ? comparatorPosition : valuePosition
        )
    }

    mutating func parseKey() throws(CairnError) -> FilterKey {
        guard let token = current else {
            throw CairnError.invalidParameter("Expected a key at \(endDescription)")
        }
        advance()
        switch token.kind {
        case .word:
            guard let dot = token.text.firstIndex(of: ".") else {
                return FilterKey(kind: .attribute, name: token.text)
            }
            let prefix = token.text[..<dot]
            guard let kind = FilterKey.Kind(prefix: prefix) else {
                let valid = FilterKey.Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw CairnError.invalidParameter(
                    "Invalid entity type '\(prefix)' at position \(token.position). Valid values are [\(valid)]"
                )
            }
            var name = String(token.text[token.text.index(after: dot)...])
            if name.isEmpty {
                guard let quoted = current, case .quoted = quoted.kind, quoted.position == token.end else {
                    throw CairnError.invalidParameter("Missing key name after '\(token.text)' at position \(token.end)")
                }
                advance()
                name = quoted.text
            }
            return try named(kind, name, at: token.position)
        case .quoted(.double), .quoted(.backtick):
            return try named(.attribute, token.text, at: token.position)
        default:
            throw CairnError.invalidParameter("Expected a key at position \(token.position), found '\(token.display)'")
        }
    }

    private func named(_ kind: FilterKey.Kind, _ name: String, at position: Int) throws(CairnError) -> FilterKey {
        guard !name.isEmpty else {
            throw CairnError.invalidParameter("Empty key name at position \(position)")
        }
        return FilterKey(kind: kind, name: name)
    }

    private mutating func parseComparator(after key: FilterKey) throws(CairnError) -> FilterComparator {
        guard let token = current else {
            throw CairnError.invalidParameter("Expected a comparator after \(key.phrase) at \(endDescription)")
        }
        advance()
        if token.kind == .comparisonOperator {
            guard let comparator = FilterComparator(rawValue: token.text) else {
                throw CairnError.invalidParameter("Invalid comparator '\(token.text)' at position \(token.position)")
            }
            return comparator
        }
        switch token.kind == .word ? token.text.uppercased() : "" {
        case "LIKE": return .like
        case "ILIKE": return .ilike
        case "IN": return .inList
        case "NOT":
            guard let next = current, next.isKeyword("IN") else {
                throw CairnError.invalidParameter("Expected IN after NOT at position \(current?.position ?? length)")
            }
            advance()
            return .notInList
        case "IS":
            let negated = current?.isKeyword("NOT") ?? false
            if negated { advance() }
            guard let next = current, next.isKeyword("NULL") else {
                throw CairnError.invalidParameter(
                    "Expected \(negated ? "NULL" : "NULL or NOT NULL") after IS at position \(current?.position ?? length)"
                )
            }
            advance()
            return negated ? .isNotNull : .isNull
        default:
            throw CairnError.invalidParameter(
                "Expected a comparator after \(key.phrase) at position \(token.position), found '\(token.display)'"
            )
        }
    }

    private mutating func parseValue(for comparator: FilterComparator) throws(CairnError) -> FilterValue {
        if comparator.takesNoValue { return .null }
        if comparator.takesList { return try parseList(after: comparator) }
        guard let token = current else {
            throw CairnError.invalidParameter("Expected a value after '\(comparator.rawValue)' at \(endDescription)")
        }
        advance()
        switch token.kind {
        case .number(let value):
            return .number(value)
        case .quoted(.single), .quoted(.double):
            return .string(token.text)
        case .quoted(.backtick):
            throw CairnError.invalidParameter(
                "Expected a value at position \(token.position), found \(token.display): backticks quote keys; quote values with ' or \""
            )
        case .leftParenthesis:
            throw CairnError.invalidParameter(
                "A list of values at position \(token.position) needs IN or NOT IN, not '\(comparator.rawValue)'"
            )
        default:
            let hint = token.isKeyword("NULL") ? "; use IS NULL or IS NOT NULL" : "; quote strings with ' or \""
            throw CairnError.invalidParameter("Expected a value at position \(token.position), found '\(token.display)'\(hint)")
        }
    }

    private mutating func parseList(after comparator: FilterComparator) throws(CairnError) -> FilterValue {
        guard let open = current, open.kind == .leftParenthesis else {
            let found = current.map { "'\($0.display)'" } ?? "the end of the filter"
            throw CairnError.invalidParameter(
                "Expected '(' after \(comparator.rawValue) at position \(current?.position ?? length), found \(found)"
            )
        }
        advance()
        var values: [String] = []
        while true {
            guard let token = current else {
                throw CairnError.invalidParameter("Unterminated list starting at position \(open.position): missing ')'")
            }
            advance()
            switch token.kind {
            case .quoted(.single), .quoted(.double):
                listValues += 1
                guard listValues <= Limits.maxFilterListValues else {
                    throw CairnError.invalidParameter(
                        "Invalid filter string: its IN lists hold more than \(Limits.maxFilterListValues) values in all")
                }
                guard values.count < Limits.maxInListValues else {
                    throw CairnError.invalidParameter(
                        "The list at position \(open.position) has more than \(Limits.maxInListValues) values; \(comparator.rawValue) takes at most \(Limits.maxInListValues)"
                    )
                }
                values.append(token.text)
            case .rightParenthesis where values.isEmpty:
                throw CairnError.invalidParameter(
                    "Empty list at position \(open.position): \(comparator.rawValue) needs at least one quoted string"
                )
            default:
                throw CairnError.invalidParameter(
                    "Expected a quoted string in the list at position \(token.position), found '\(token.display)'"
                )
            }
            guard let separator = current else {
                throw CairnError.invalidParameter("Unterminated list starting at position \(open.position): missing ')'")
            }
            advance()
            if separator.kind == .rightParenthesis { return .strings(values) }
            guard separator.kind == .comma else {
                throw CairnError.invalidParameter(
                    "Expected ',' or ')' in the list at position \(separator.position), found '\(separator.display)'"
                )
            }
        }
    }
}
