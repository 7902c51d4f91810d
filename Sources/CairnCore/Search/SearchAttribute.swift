/// A built-in field of a searchable entity (`status`, `start_time`, `name`, …): how filters
/// compare it and whether it can be searched or ordered on.
public struct SearchAttribute: Sendable, Hashable {
    /// The type of value a filter compares the attribute with.
    public enum ValueType: Sendable, Hashable {
        /// A quoted string.
        case string
        /// An unquoted number.
        case number
        /// An integer identifier written as a quoted string (`experiment_id = '5'`); an unquoted
        /// integer is accepted too.
        case integerIdentifier
    }

    /// The canonical name, as the compilers expect it (`start_time`, `run_name`).
    public var name: String
    /// Other names accepted for it (`created`, `"run name"`); matched case-sensitively.
    public var aliases: [String]
    /// What a filter compares it with.
    public var valueType: ValueType
    /// The comparators a filter may use on it.
    public var comparators: Set<FilterComparator>
    /// Whether filters may use it.
    public var isSearchable: Bool
    /// Whether `order_by` may use it.
    public var isOrderable: Bool

    /// Creates an attribute description.
    public init(
        _ name: String,
        aliases: [String] = [],
        _ valueType: ValueType,
        _ comparators: Set<FilterComparator>,
        searchable: Bool = true,
        orderable: Bool = true
    ) {
        self.name = name
        self.aliases = aliases
        self.valueType = valueType
        self.comparators = comparators
        self.isSearchable = searchable
        self.isOrderable = orderable
    }

    /// Whether `name` is this attribute's name or one of its aliases.
    public func matches(_ name: String) -> Bool {
        self.name == name || aliases.contains(name)
    }

    static func string(
        _ name: String,
        aliases: [String] = [],
        _ comparators: Set<FilterComparator> = FilterComparator.patternOrList,
        orderable: Bool = true
    ) -> Self {
        SearchAttribute(name, aliases: aliases, .string, comparators, orderable: orderable)
    }

    static func number(_ name: String, aliases: [String] = [], searchable: Bool = true) -> Self {
        SearchAttribute(name, aliases: aliases, .number, FilterComparator.numeric, searchable: searchable)
    }
}
