import Yams

/// A node of a parsed kubeconfig and the path that led to it, so every error names the field.
struct YAMLField {
    let node: Node
    let path: String

    /// Whether the node is YAML null (`~`, `null` or empty).
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The child under `key`, or `nil` when absent or null.
    func child(_ key: String) -> YAMLField? {
        guard let value = node[key] else { return nil }
        let field = YAMLField(node: value, path: path.isEmpty ? key : "\(path).\(key)")
        return field.isNull ? nil : field
    }

    /// A scalar under `key` as text, `nil` when absent.
    func string(_ key: String) throws -> String? {
        guard let field = child(key) else { return nil }
        guard case .scalar(let scalar) = field.node else {
            throw KubeError.invalidConfiguration("\(field.path) must be a string")
        }
        return scalar.string
    }

    /// A scalar under `key` that must be present and non-empty.
    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw KubeError.invalidConfiguration("\(path.isEmpty ? key : "\(path).\(key)") is missing")
        }
        return value
    }

    /// A boolean under `key`, `nil` when absent.
    func bool(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw KubeError.invalidConfiguration("\(path).\(key) must be true or false, not \"\(text)\"")
        }
    }

    /// A mapping under `key`, `nil` when absent.
    func mapping(_ key: String) throws -> YAMLField? {
        guard let field = child(key) else { return nil }
        guard case .mapping = field.node else {
            throw KubeError.invalidConfiguration("\(field.path) must be a mapping")
        }
        return field
    }

    /// The elements of a sequence under `key`, empty when absent.
    func sequence(_ key: String) throws -> [YAMLField] {
        guard let field = child(key) else { return [] }
        guard case .sequence(let sequence) = field.node else {
            throw KubeError.invalidConfiguration("\(field.path) must be a list")
        }
        return sequence.enumerated().map { index, node in YAMLField(node: node, path: "\(field.path)[\(index)]") }
    }

    /// A list of strings under `key`, empty when absent.
    func strings(_ key: String) throws -> [String] {
        try sequence(key).map { element in
            guard case .scalar(let scalar) = element.node else {
                throw KubeError.invalidConfiguration("\(element.path) must be a string")
            }
            return scalar.string
        }
    }
}
