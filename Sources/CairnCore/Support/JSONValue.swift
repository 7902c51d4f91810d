/// A JSON value, the one of the project: rendered Kubernetes manifests, Kubernetes API answers
/// (live objects, `Status` errors, discovery documents), the promotion ledger's manifests, exec
/// credential plugins' output.
///
/// Objects are an ordered member list, so a rendered manifest keeps the order it was written in
/// (its YAML and JSON read like hand-written manifests and compare byte for byte in tests) and
/// parsed text keeps the order it came in. Look keys up with ``subscript(_:)``.
///
/// Equality and hashing follow JSON, where an object is an unordered set of members: two objects
/// are equal when they hold the same keys with equal values, in any order. A manifest rendered in
/// code order, the same manifest read back from the ledger (stored with sorted keys, see
/// ``jsonString``) and the same object as the API server answers it are one value. Order is a
/// property of the text, checked where it matters by comparing text (``jsonText(_:)``).
/// Integers and decimals are different values (`.int(1) != .double(1)`), as are `null` and a
/// missing member.
///
/// Integers are `Int64`, not `Int`: JSON integers on the wire are 64-bit whatever the platform
/// (Kubernetes declares `metadata.generation`, `status.observedGeneration` and its other counters
/// `int64`), so the width is written down rather than taken from the machine, and it is the width
/// of Cairn's other wire integers (model versions, millisecond timestamps). A parsed integer that
/// does not fit becomes a ``double(_:)``.
public enum JSONValue: Sendable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer (replica counts, ports, generations).
    case int(Int64)
    /// A decimal, written by ``formatDouble(_:)``.
    case double(Double)
    /// A string (Kubernetes quantities such as `2Gi` are strings too).
    case string(String)
    /// A list.
    case array([JSONValue])
    /// An object whose members keep their order.
    case object([Member])

    /// One key and its value inside an ``JSONValue/object(_:)``.
    public struct Member: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value.
        public var value: JSONValue

        /// Creates a member.
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }
}

extension JSONValue: Hashable {
    /// Whether two values are the same JSON: objects compare their members in any order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && keySorted(a) == keySorted(b)
        default: false
        }
    }

    /// Hashes the value consistently with `==`: object members in key order.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let bool):
            hasher.combine(1)
            hasher.combine(bool)
        case .int(let int):
            hasher.combine(2)
            hasher.combine(int)
        case .double(let double):
            hasher.combine(3)
            hasher.combine(double)
        case .string(let string):
            hasher.combine(4)
            hasher.combine(string)
        case .array(let elements):
            hasher.combine(5)
            hasher.combine(elements)
        case .object(let members):
            hasher.combine(6)
            hasher.combine(Self.keySorted(members))
        }
    }

    /// Members ordered by key; the sort is stable, so repeated keys keep their relative order.
    static func keySorted(_ members: [Member]) -> [Member] {
        members.sorted { $0.key < $1.key }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A string value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer value.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A boolean value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array value.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object value, members in the order written; a repeated key keeps its first place and
    /// its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object([])
        for (key, value) in elements { self[key] = value }
    }
}
