/// One comparison of a filter: `key comparator value`.
///
/// Positions locate the clause in the filter text for error messages; equality ignores them.
public struct FilterClause: Sendable, Hashable {
    /// What is compared.
    public var key: FilterKey
    /// How it is compared.
    public var comparator: FilterComparator
    /// What it is compared with (``FilterValue/null`` for `IS [NOT] NULL`).
    public var value: FilterValue
    /// Zero-based character offset of the key.
    public var position: Int
    /// Zero-based character offset of the value (of the comparator for `IS [NOT] NULL`).
    public var valuePosition: Int

    /// Creates a clause.
    public init(key: FilterKey, comparator: FilterComparator, value: FilterValue, position: Int = 0, valuePosition: Int = 0) {
        self.key = key
        self.comparator = comparator
        self.value = value
        self.position = position
        self.valuePosition = valuePosition
    }

    /// Clauses are equal when key, comparator and value are; positions are ignored.
    public static func == (lhs: FilterClause, rhs: FilterClause) -> Bool {
        lhs.key == rhs.key && lhs.comparator == rhs.comparator && lhs.value == rhs.value
    }

    /// Hashes key, comparator and value (not positions), consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(comparator)
        hasher.combine(value)
    }
}
