extension JSONValue {
    /// An object from ordered key-value pairs; pairs whose value is `nil` are left out, so optional
    /// fields are simply not written (what server-side apply wants: no field Cairn does not mean to own).
    public static func fields(_ pairs: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        .object(pairs.compactMap { key, value in value.map { Member(key, $0) } })
    }

    /// An object from a dictionary of strings, keys sorted (labels, annotations, node selectors).
    public static func sortedStrings(_ dictionary: [String: String]) -> JSONValue {
        .object(dictionary.keys.sorted().map { Member($0, .string(dictionary[$0]!)) })
    }

    /// The value under `key` when this is an object, else `nil` (the first, should a key repeat).
    ///
    /// Setting a value replaces the member in place, or appends it when the key is new; setting
    /// `nil` removes the member.
    /// > Warning: Setting a key on anything but an object does nothing, as optional chaining
    /// > through a missing member does (`value["metadata"]?["namespace"] = …`).
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }
        set {
            guard case .object(var members) = self else { return }
            self = .null  // releases the members, so the edit below does not copy them
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(key, newValue))
            }
            self = .object(members)
        }
    }

    /// The value at a path of object keys, e.g. `["spec", "predictor", "model"]`.
    public subscript(path path: [String]) -> JSONValue? {
        path.reduce(Optional(self)) { value, key in value?[key] }
    }

    /// The value at a path of object keys, e.g. `value[path: "status", "conditions"]`.
    public subscript(path path: String...) -> JSONValue? {
        self[path: path]
    }

    /// The string when this is `.string`, else `nil`.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer when this is `.int` (or a `.double` without a fraction), else `nil`.
    public var intValue: Int64? {
        switch self {
        case .int(let int): int
        case .double(let double) where double.rounded() == double && abs(double) < 9.0e18: Int64(double)
        default: nil
        }
    }

    /// The boolean when this is `.bool`, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The elements when this is `.array`, else `nil`.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members, in order, when this is `.object`, else `nil`.
    public var objectValue: [Member]? {
        if case .object(let members) = self { return members }
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
