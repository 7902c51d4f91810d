import CairnCore

/// Paging shared by every search and listing: `max_results` and a page token to an offset and a
/// limit, and the page a query of `limit + 1` rows makes.
enum SQLPaging {
    /// Maps a page token and size to (offset, limit), enforcing the endpoint's ceiling.
    static func bounds(maxResults: Int, ceiling: Int, pageToken: String?) throws(CairnError) -> (offset: Int, limit: Int) {
        guard maxResults >= 1 else {
            throw .invalidParameter("Invalid value \(maxResults) for parameter 'max_results' supplied: it must be a positive integer")
        }
        guard maxResults <= ceiling else {
            throw .invalidParameter("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most \(ceiling)")
        }
        return (try PageToken.decodeOffset(pageToken), maxResults)
    }

    /// The page size, checked against the endpoint's ceiling.
    static func limit(maxResults: Int, ceiling: Int) throws(CairnError) -> Int {
        try bounds(maxResults: maxResults, ceiling: ceiling, pageToken: nil).limit
    }

    /// The condition "after `after`" in the order of `keys`: the first key beyond its value, or
    /// equal and the second beyond, and so on (each key's own direction). The first key's bound
    /// is repeated on its own, so an index on it (`runs_experiment_start` for the default order)
    /// starts the scan at the page instead of filtering from the top.
    static func keysetCondition(_ keys: [SortKey], after: [KeysetPageToken.Value], into builder: inout SQLBuilder) -> String {
        let values = after.map { value -> String? in
            switch value {
            case .null: nil
            case .int(let v): builder.bind(.int(v))
            case .double(let v): builder.bind(.double(v))
            case .text(let v): builder.bind(.text(v))
            }
        }
        func equal(_ index: Int) -> String {
            values[index].map { "\(keys[index].expression) = \($0)" } ?? "\(keys[index].expression) IS NULL"
        }
        var alternatives: [String] = []
        for index in keys.indices {
            // Beyond a NULL nothing is: its rows are told apart by the keys after it.
            guard let value = values[index] else { continue }
            let beyond = "\(keys[index].expression) \(keys[index].ascending ? ">" : "<") \(value)"
            alternatives.append("(" + ((0..<index).map(equal) + [beyond]).joined(separator: " AND ") + ")")
        }
        let condition = alternatives.isEmpty ? "1=0" : "(" + alternatives.joined(separator: " OR ") + ")"
        guard let first = values.first ?? nil else { return condition }
        return "\(keys[0].expression) \(keys[0].ascending ? ">=" : "<=") \(first) AND \(condition)"
    }

    /// A sort key value as the page token keeps it.
    static func keysetValue(_ value: SQLValue) -> KeysetPageToken.Value {
        switch value {
        case .int(let v): .int(v)
        case .double(let v): .double(v)
        case .text(let v): .text(v)
        default: .null
        }
    }

    /// Trims the extra row fetched to learn whether another page exists.
    static func page<Item>(_ items: [Item], offset: Int, limit: Int) -> Page<Item> {
        if items.count > limit {
            return Page(items: Array(items.prefix(limit)), nextPageToken: PageToken.encode(offset: offset + limit))
        }
        return Page(items: items, nextPageToken: nil)
    }
}

extension SQLBuilder {
    /// Binds a list of values as `column IN (...)` (SQLite) or `column = ANY($n)` (PostgreSQL),
    /// one value as `column = $n`; `1=0` for an empty list.
    mutating func inList(_ column: String, texts: [String]) -> String {
        if texts.isEmpty { return "1=0" }
        // One value is an equality: PostgreSQL reads an index's order through `=`, not through
        // `= ANY` (a search of one experiment ordered by start time walks its index and stops).
        if texts.count == 1 { return "\(column) = \(bind(.text(texts[0])))" }
        if dialect == .postgres { return "\(column) = ANY(\(bind(.textArray(texts))))" }
        return "\(column) IN (" + texts.map { bind(.text($0)) }.joined(separator: ",") + ")"
    }

    /// As ``inList(_:texts:)`` for integers.
    mutating func inList(_ column: String, ints: [Int64]) -> String {
        if ints.isEmpty { return "1=0" }
        if ints.count == 1 { return "\(column) = \(bind(.int(ints[0])))" }
        if dialect == .postgres { return "\(column) = ANY(\(bind(.intArray(ints))))" }
        return "\(column) IN (" + ints.map { bind(.int($0)) }.joined(separator: ",") + ")"
    }
}
