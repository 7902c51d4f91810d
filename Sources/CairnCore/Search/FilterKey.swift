/// The left-hand side of a filter clause or an `order_by` entry: what is compared, and its name.
public struct FilterKey: Sendable, Hashable, CustomStringConvertible {
    /// Which family of values a key names.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `metrics.<k>` / `metric.<k>`: a run's latest metric value.
        case metric
        /// `params.<k>` / `param.` / `parameter.` / `parameters.`.
        case param = "parameter"
        /// `tags.<k>` / `tag.<k>`.
        case tag
        /// `attributes.<a>` / `attribute.` / `attr.` / `run.`, or a bare attribute name.
        case attribute
        /// `datasets.<name|digest|context>` / `dataset.`: a run's dataset inputs.
        case dataset

        /// Recognises an identifier prefix (case-insensitively), e.g. `metrics`, `param`, `attr`.
        public init?(prefix: some StringProtocol) {
            switch prefix.lowercased() {
            case "metric", "metrics": self = .metric
            case "param", "params", "parameter", "parameters": self = .param
            case "tag", "tags": self = .tag
            case "attribute", "attributes", "attr", "run": self = .attribute
            case "dataset", "datasets": self = .dataset
            default: return nil
            }
        }

        /// The canonical prefix Cairn writes back (`metrics`, `params`, `tags`, `attributes`, `datasets`).
        public var canonicalPrefix: String {
            switch self {
            case .metric: "metrics"
            case .param: "params"
            case .tag: "tags"
            case .attribute: "attributes"
            case .dataset: "datasets"
            }
        }
    }

    /// The family the key belongs to.
    public var kind: Kind
    /// The key's name without prefix or quotes (`acc`, `mlflow.runName`, `start_time`).
    public var name: String

    /// Creates a key.
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Creates a metric key.
    public static func metric(_ name: String) -> FilterKey { FilterKey(kind: .metric, name: name) }
    /// Creates a param key.
    public static func param(_ name: String) -> FilterKey { FilterKey(kind: .param, name: name) }
    /// Creates a tag key.
    public static func tag(_ name: String) -> FilterKey { FilterKey(kind: .tag, name: name) }
    /// Creates an attribute key.
    public static func attribute(_ name: String) -> FilterKey { FilterKey(kind: .attribute, name: name) }
    /// Creates a dataset key.
    public static func dataset(_ name: String) -> FilterKey { FilterKey(kind: .dataset, name: name) }

    /// The key in canonical form, e.g. `metrics.acc`, with backticks when the name needs them.
    public var description: String {
        let plain = !name.isEmpty && name.allSatisfy { FilterLexer.isWordCharacter($0) } && (name.first?.isLetter ?? false)
        let written = plain ? name : "`\(name)`"
        return "\(kind.canonicalPrefix).\(written)"
    }

    /// A phrase for error messages: `metric 'acc'`, `attribute 'status'`.
    var phrase: String { "\(kind.rawValue) '\(name)'" }
}
