/// A JSON value with ordered object keys: the shape of a rendered Kubernetes manifest.
///
/// Keys keep the order they were written in, so rendered YAML and JSON read like hand-written
/// manifests and compare byte for byte in tests. Numbers are integers or decimals whose text
/// Cairn formats itself (see ``ManifestEncoder``), never through a YAML library's float formatting.
public enum ManifestValue: Sendable, Equatable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer (replica counts, ports).
    case int(Int)
    /// A decimal, written by ``ManifestEncoder/formatDouble(_:)``.
    case double(Double)
    /// A string (quantities such as `2Gi` are strings too).
    case string(String)
    /// A list.
    case array([ManifestValue])
    /// An object whose keys keep their order.
    case object([Member])

    /// One key and its value inside an ``ManifestValue/object(_:)``.
    public struct Member: Sendable, Equatable {
        /// The key.
        public var key: String
        /// The value.
        public var value: ManifestValue

        /// Creates a member.
        public init(_ key: String, _ value: ManifestValue) {
            self.key = key
            self.value = value
        }
    }
}

extension ManifestValue {
    /// An object from ordered key-value pairs; pairs whose value is `nil` are left out, so optional
    /// fields are simply not written (what server-side apply wants: no field Cairn does not mean to own).
    public static func fields(_ pairs: KeyValuePairs<String, ManifestValue?>) -> ManifestValue {
        .object(pairs.compactMap { key, value in value.map { Member(key, $0) } })
    }

    /// An object from a dictionary of strings, keys sorted (labels, annotations, node selectors).
    public static func sortedStrings(_ dictionary: [String: String]) -> ManifestValue {
        .object(dictionary.keys.sorted().map { Member($0, .string(dictionary[$0]!)) })
    }

    /// The value under `key` when this is an object, else `nil`.
    public subscript(key: String) -> ManifestValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value at a path of object keys, e.g. `["spec", "predictor", "model"]`.
    public subscript(path path: [String]) -> ManifestValue? {
        path.reduce(Optional(self)) { value, key in value?[key] }
    }

    /// The string when this is `.string`, else `nil`.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer when this is `.int`, else `nil`.
    public var intValue: Int? {
        if case .int(let int) = self { return int }
        return nil
    }

    /// The elements when this is `.array`, else `nil`.
    public var arrayValue: [ManifestValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The keys, in order, when this is an object; else an empty array.
    public var keys: [String] {
        if case .object(let members) = self { return members.map(\.key) }
        return []
    }

    /// Whether this is an empty object or an empty array.
    public var isEmptyCollection: Bool {
        switch self {
        case .object(let members): members.isEmpty
        case .array(let elements): elements.isEmpty
        default: false
        }
    }
}

extension ManifestValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A string value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer value.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A boolean value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
