/// Validation rules for names, keys and values, with MLflow's messages. Pure functions.
public enum Validator {
    /// Checks a metric, param or tag key: 1…250 characters from `[/\w.\- :]`, and it must not
    /// resolve to another name when read as a path (`a/../b`, `./a`, `/a`, `a//b`).
    public static func validateKey(_ key: String, kind: String) throws(CairnError) {
        guard !key.isEmpty else {
            throw .invalidParameter("Invalid \(kind) name: ''. Names must not be empty")
        }
        guard key.count <= Limits.maxKeyLength else {
            throw .invalidParameter(
                "Metric, param or tag name '\(key.prefix(40))…' had length \(key.count), which exceeded length limit of \(Limits.maxKeyLength)")
        }
        for scalar in key.unicodeScalars where !isKeyCharacter(scalar) {
            throw .invalidParameter(
                "Invalid \(kind) name: '\(key)'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
            )
        }
        let normalised = normalisePath(key)
        if normalised != key || normalised == "." || normalised.hasPrefix("..") || normalised.hasPrefix("/") {
            throw .invalidParameter(
                "Invalid \(kind) name: '\(key)'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '\(normalised)'"
            )
        }
    }

    /// Checks a run id (MLflow: `^[a-zA-Z0-9][\w\-]{0,255}$`).
    public static func validateRunID(_ runID: String) throws(CairnError) {
        let scalars = Array(runID.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 256, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first),
            scalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        else {
            throw .invalidParameter("Invalid run ID: '\(runID.prefix(300))'")
        }
    }

    /// Refuses NUL and other control characters in a name: SQLite cuts text at a NUL and
    /// PostgreSQL refuses it, so the two engines would store different names; the others
    /// break logs and terminals.
    public static func validateNoControlCharacters(_ name: String, kind: String) throws(CairnError) {
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }) {
            throw .invalidParameter("Invalid \(kind) name: control characters (NUL, newlines, tabs and the like) are not allowed")
        }
    }

    /// Checks an experiment name: not empty, at most 500 characters, no control characters.
    public static func validateExperimentName(_ name: String) throws(CairnError) {
        if name.trimmingWhitespace().isEmpty {
            throw .invalidParameter("Invalid experiment name: '\(name)'. Experiment name must not be empty")
        }
        try validateNoControlCharacters(name, kind: "experiment")
        if name.count > Limits.maxExperimentNameLength {
            throw .invalidParameter("Experiment name exceeds the maximum length of \(Limits.maxExperimentNameLength) characters")
        }
    }

    /// Checks a metric timestamp: MLflow requires it to be present and non-negative.
    public static func validateTimestamp(_ timestamp: Int64?, key: String) throws(CairnError) {
        guard let timestamp else {
            throw .invalidParameter("Missing value for required parameter 'timestamp' of metric '\(key)'")
        }
        if timestamp < 0 {
            throw .invalidParameter("Invalid timestamp \(timestamp) for metric '\(key)': must be non-negative")
        }
    }

    /// Checks a metric's dataset: MLflow wants both `dataset_name` and `dataset_digest`, or neither
    /// (an empty string counts as absent).
    public static func validateMetricDataset(name: String?, digest: String?) throws(CairnError) {
        let hasName = !(name ?? "").isEmpty
        let hasDigest = !(digest ?? "").isEmpty
        if hasName != hasDigest {
            throw .invalidParameter("Both dataset_name and dataset_digest must be provided if one is provided")
        }
    }

    /// Checks a dataset input's lengths as MLflow does (`_validate_dataset`, `_validate_input_tag`),
    /// in characters as Python counts them (Unicode scalars), with MLflow's message.
    public static func validateDatasetInput(_ dataset: DatasetInput) throws(CairnError) {
        try checkLength("name", dataset.name, Limits.maxDatasetNameLength)
        try checkLength("digest", dataset.digest, Limits.maxDatasetDigestLength)
        try checkLength("source", dataset.source, Limits.maxDatasetSourceLength)
        try checkLength("schema", dataset.schema, Limits.maxDatasetSchemaLength)
        try checkLength("profile", dataset.profile, Limits.maxDatasetProfileLength)
        for tag in dataset.tags {
            try checkLength("key", tag.key, Limits.maxInputTagKeyLength)
            try checkLength("value", tag.value, Limits.maxInputTagValueLength)
        }
    }

    private static func checkLength(_ path: String, _ value: String, _ limit: Int) throws(CairnError) {
        if value.unicodeScalars.count > limit { throw .invalidParameter("'\(path)' exceeds the maximum length of \(limit) characters") }
    }

    /// Truncates a value to `limit` characters, as MLflow does with `MLFLOW_TRUNCATE_LONG_VALUES`.
    public static func truncated(_ value: String, to limit: Int) -> String {
        value.count <= limit ? value : String(value.prefix(limit))
    }

    private static func isKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "/", ".", "-", " ", ":", "_": return true
        default: return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
    }

    /// `posixpath.normpath` for relative and absolute paths.
    static func normalisePath(_ path: String) -> String {
        if path.isEmpty { return "." }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                    continue
                }
                if absolute { continue }
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}

extension String {
    /// The string without leading and trailing whitespace (Foundation-free).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
