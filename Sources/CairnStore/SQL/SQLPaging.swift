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

    /// Trims the extra row fetched to learn whether another page exists.
    static func page<Item>(_ items: [Item], offset: Int, limit: Int) -> Page<Item> {
        if items.count > limit {
            return Page(items: Array(items.prefix(limit)), nextPageToken: PageToken.encode(offset: offset + limit))
        }
        return Page(items: items, nextPageToken: nil)
    }
}

extension SQLBuilder {
    /// Binds a list of values as `column IN (...)` (SQLite) or `column = ANY($n)` (PostgreSQL);
    /// `1=0` for an empty list.
    mutating func inList(_ column: String, texts: [String]) -> String {
        if texts.isEmpty { return "1=0" }
        if dialect == .postgres { return "\(column) = ANY(\(bind(.textArray(texts))))" }
        return "\(column) IN (" + texts.map { bind(.text($0)) }.joined(separator: ",") + ")"
    }

    /// As ``inList(_:texts:)`` for integers.
    mutating func inList(_ column: String, ints: [Int64]) -> String {
        if ints.isEmpty { return "1=0" }
        if dialect == .postgres { return "\(column) = ANY(\(bind(.intArray(ints))))" }
        return "\(column) IN (" + ints.map { bind(.int($0)) }.joined(separator: ",") + ")"
    }
}
