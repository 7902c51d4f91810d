import CairnCore
import Yams

/// Reads one target's YAML mapping field by field, with errors that name the file, the target,
/// the field and the line. Keys it never read are reported as unknown by ``finish()``.
struct TargetFieldReader {
    let source: String
    let target: String
    let mapping: Node.Mapping
    private(set) var read: Set<String> = []

    init(source: String, target: String, mapping: Node.Mapping) {
        self.source = source
        self.target = target
        self.mapping = mapping
    }

    /// An error about `field` of this target, at the line of `node` when known.
    func error(_ field: String, _ problem: String, at node: Node? = nil) -> CairnError {
        TargetsFile.error(source: source, target: target, field: field, problem, at: node ?? mapping[field])
    }

    func has(_ key: String) -> Bool { mapping[key].map { !Self.isNull($0) } ?? false }

    /// The node under `key`, `nil` when absent or `null`.
    mutating func node(_ key: String) -> Node? {
        read.insert(key)
        guard let node = mapping[key], !Self.isNull(node) else { return nil }
        return node
    }

    mutating func string(_ key: String) throws(CairnError) -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node else { throw error(key, "must be a string, got \(Self.describe(node))", at: node) }
        let text = scalar.string
        guard !text.isEmpty else { throw error(key, "must not be empty", at: node) }
        return text
    }

    /// A list of non-empty strings under `key`; empty when absent.
    mutating func stringList(_ key: String) throws(CairnError) -> [String] {
        guard let node = node(key) else { return [] }
        guard case .sequence(let items) = node else { throw error(key, "must be a list of strings, got \(Self.describe(node))", at: node) }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                throw error("\(key)[\(index)]", "must be a non-empty string, got \(Self.describe(item))", at: item)
            }
            values.append(scalar.string)
        }
        return values
    }

    mutating func requiredString(_ key: String) throws(CairnError) -> String {
        guard let value = try string(key) else { throw error(key, "is required") }
        return value
    }

    mutating func int(_ key: String, minimum: Int) throws(CairnError) -> Int? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw error(key, "must be a whole number, got \(Self.describe(node))", at: node)
        }
        guard value >= minimum else { throw error(key, "must be at least \(minimum), got \(value)", at: node) }
        return value
    }

    mutating func bool(_ key: String) throws(CairnError) -> Bool? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain else {
            throw error(key, "must be true or false, got \(Self.describe(node))", at: node)
        }
        switch scalar.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(key, "must be true or false, got \(Self.describe(node))", at: node)
        }
    }

    /// A mapping of scalars to their text (numbers and booleans kept as written).
    mutating func stringMap(_ key: String) throws(CairnError) -> [(key: String, value: String, node: Node)] {
        guard let node = node(key) else { return [] }
        let reader = self
        return try Self.stringPairs(node) { problem, at in reader.error(key, problem, at: at) }
    }

    /// Fails when the mapping has a key no reader asked for (a typo, or a field of another kind).
    func finish() throws(CairnError) {
        var seen: Set<String> = []
        for (keyNode, _) in mapping {
            let key = keyNode.scalar?.string ?? "?"
            if !read.contains(key) { throw error(key, "is not a known target field", at: keyNode) }
            if !seen.insert(key).inserted { throw error(key, "is given twice", at: keyNode) }
        }
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The pairs of a mapping whose keys and values are scalars.
    static func stringPairs(
        _ node: Node, error: (String, Node) -> CairnError
    ) throws(CairnError) -> [(key: String, value: String, node: Node)] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping, got \(describe(node))", node) }
        var pairs: [(key: String, value: String, node: Node)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { throw error("keys must be strings", keyNode) }
            guard case .scalar(let value) = valueNode, !isNull(valueNode) else {
                throw error("'\(key.string)' must have a string or number value, got \(describe(valueNode))", valueNode)
            }
            pairs.append((key.string, value.string, valueNode))
        }
        return pairs
    }
}
