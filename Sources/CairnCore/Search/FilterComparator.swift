/// The operator of a filter clause.
public enum FilterComparator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    /// SQL `LIKE`, case-sensitive; `%` and `_` are wildcards and `\` escapes them.
    case like = "LIKE"
    /// Case-insensitive `LIKE`.
    case ilike = "ILIKE"
    /// `IN ('a', 'b')`.
    case inList = "IN"
    /// `NOT IN ('a', 'b')`.
    case notInList = "NOT IN"
    /// `IS NULL`: the key is absent.
    case isNull = "IS NULL"
    /// `IS NOT NULL`: the key is present.
    case isNotNull = "IS NOT NULL"

    /// The comparators that order numbers: `= != < <= > >=`.
    public static let numeric: Set<FilterComparator> = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
    /// `= != LIKE ILIKE`.
    public static let pattern: Set<FilterComparator> = [.equal, .notEqual, .like, .ilike]
    /// `= != LIKE ILIKE IN NOT IN`.
    public static let patternOrList: Set<FilterComparator> = pattern.union([.inList, .notInList])
    /// `= != LIKE ILIKE IS NULL IS NOT NULL`.
    public static let patternOrPresence: Set<FilterComparator> = pattern.union([.isNull, .isNotNull])

    /// Whether the comparator takes a list value.
    public var takesList: Bool { self == .inList || self == .notInList }
    /// Whether the comparator takes no value.
    public var takesNoValue: Bool { self == .isNull || self == .isNotNull }

    /// A set of comparators listed in declaration order, for error messages: `'=', '!=', 'LIKE'`.
    static func list(_ set: Set<FilterComparator>) -> String {
        allCases.filter(set.contains).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
