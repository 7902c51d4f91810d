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
}
