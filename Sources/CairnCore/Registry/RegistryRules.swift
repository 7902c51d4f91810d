/// The registry's validation rules (MLflow's), pure.
public enum RegistryRules {
    public static let maxTagKeyLength = 250
    public static let maxTagValueLength = 100_000
    public static let maxAliasLength = 255
    public static let defaultModelSearchResults = 100
    public static let maxModelSearchResults = 1000
    public static let defaultVersionSearchResults = 10_000
    public static let maxVersionSearchResults = 200_000

    /// A model name: not empty, no `/` or `:` (MLflow rejects them; they break `models:/` URIs).
    public static func validateModelName(_ name: String) throws(CairnError) {
        if name.trimmingWhitespace().isEmpty {
            throw .invalidParameter("Registered model name cannot be empty.")
        }
        if name.contains("/") || name.contains(":") {
            throw .invalidParameter("Invalid model name: '\(name)'. Names cannot contain '/' or ':'.")
        }
        try Validator.validateNoControlCharacters(name, kind: "model")
        if name.count > 500 {
            throw .invalidParameter("Registered model name exceeds the maximum length of 500 characters")
        }
    }

    /// A registry tag: key as for run tags, at most 250 characters; value at most 100,000.
    public static func validateTag(_ tag: Tag) throws(CairnError) {
        try Validator.validateKey(tag.key, kind: "tag")
        if tag.value.count > maxTagValueLength {
            throw .invalidParameter("Tag value for key '\(tag.key)' exceeds the maximum length of \(maxTagValueLength) characters")
        }
    }

    /// An alias: `^[\w\-]*$`, 1…255 characters, not `latest` and not `v<digits>` (reserved for
    /// version references).
    public static func validateAlias(_ alias: String) throws(CairnError) {
        guard !alias.isEmpty, alias.count <= maxAliasLength else {
            throw .invalidParameter("Invalid alias '\(alias)': it must be 1 to \(maxAliasLength) characters long.")
        }
        let valid = alias.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-" }
        guard valid else {
            throw .invalidParameter("Invalid alias name: '\(alias)'. Names may only contain alphanumerics, underscores (_) and dashes (-).")
        }
        let lower = alias.lowercased()
        if lower == "latest" || (lower.hasPrefix("v") && lower.count > 1 && lower.dropFirst().allSatisfy(\.isNumber)) {
            throw .invalidParameter("Invalid alias name: '\(alias)'. Aliases 'latest' and 'v<number>' are reserved.")
        }
    }

    /// A version number from the wire (a decimal string).
    public static func parseVersion(_ text: String) throws(CairnError) -> Int64 {
        guard let version = Int64(text), version >= 1 else {
            throw .invalidParameter("Model version must be an integer, got '\(text)'")
        }
        return version
    }

    /// The tag that makes a registered model or version a prompt (`mlflow.genai` prompts).
    public static let promptTag = "mlflow.prompt.is_prompt"
    /// The placeholder sources a prompt version may have (`mlflow/prompt/constants.py`).
    public static let promptSources: Set<String> = ["dummy-source", "prompt-template"]
    /// The logged-model tag listing the versions registered from it.
    public static let modelVersionsTag = "mlflow.modelVersions"

    /// Whether tags make a version a prompt: the last `mlflow.prompt.is_prompt` is `true` (any case).
    public static func isPrompt(_ tags: [Tag]) -> Bool {
        tags.last(where: { $0.key == promptTag })?.value.lowercased() == "true"
    }

    /// Checks a prompt version's source: only MLflow's placeholders.
    public static func validatePromptSource(_ source: String) throws(CairnError) {
        guard promptSources.contains(source) else {
            throw .invalidParameter("Invalid prompt source: '\(source)'. Prompt sources must use an MLflow placeholder.")
        }
    }

    /// The `mlflow.modelVersions` tag value with `(name, version)` appended unless present, as
    /// MLflow writes it (`json.dumps` with its default separators and `ensure_ascii`):
    /// `[{"name": "m", "version": 1}, {"name": "m", "version": 2}]`. A value that does not read
    /// as such a list starts a new one.
    public static func modelVersionsTag(appending name: String, version: Int64, to current: String?) -> String {
        var entries: [(String, Int64)] = []
        if let current, case .array(let items)? = try? JSONValue(parsing: current) {
            for item in items {
                if let itemName = item["name"]?.stringValue, let itemVersion = item["version"]?.intValue { entries.append((itemName, itemVersion)) }
            }
        }
        if !entries.contains(where: { $0 == (name, version) }) { entries.append((name, version)) }
        let items = entries.map { "{\"name\": \(pythonJSONString($0.0)), \"version\": \($0.1)}" }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// A string as Python's `json.dumps` writes it with `ensure_ascii=True`.
    static func pythonJSONString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
