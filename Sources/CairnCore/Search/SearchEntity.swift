/// What a search filters and orders: each entity has its own keys, comparators and value types.
public enum SearchEntity: String, Sendable, Hashable, CaseIterable {
    /// `runs/search`.
    case runs
    /// `experiments/search`.
    case experiments
    /// `registered-models/search`.
    case registeredModels
    /// `model-versions/search`.
    case modelVersions
    /// `logged-models/search` (MLflow 3).
    case loggedModels

    /// The singular noun used in error messages.
    public var noun: String {
        switch self {
        case .runs: "run"
        case .experiments: "experiment"
        case .registeredModels: "registered model"
        case .modelVersions: "model version"
        case .loggedModels: "logged model"
        }
    }

    /// The key kinds a filter may use, in the order error messages list them.
    public var filterKinds: [FilterKey.Kind] {
        switch self {
        case .runs: [.metric, .param, .tag, .attribute, .dataset]
        case .experiments, .registeredModels, .modelVersions: [.attribute, .tag]
        case .loggedModels: [.metric, .param, .tag, .attribute]
        }
    }

    /// The key kinds `order_by` may use.
    public var orderByKinds: [FilterKey.Kind] {
        switch self {
        case .runs: [.metric, .param, .tag, .attribute]
        case .experiments, .registeredModels, .modelVersions: [.attribute]
        case .loggedModels: [.metric, .attribute]
        }
    }

    /// The comparators allowed for a non-attribute key kind (attributes carry their own).
    public func comparators(for kind: FilterKey.Kind) -> Set<FilterComparator> {
        switch (self, kind) {
        case (_, .metric): FilterComparator.numeric
        case (_, .dataset): FilterComparator.patternOrList
        case (.registeredModels, .tag), (.modelVersions, .tag): FilterComparator.pattern
        case (_, .param), (_, .tag): FilterComparator.patternOrPresence
        case (_, .attribute): []
        }
    }

    /// The names a `datasets.<name>` key may use.
    public static let datasetFields = ["name", "digest", "context"]

    /// The entity's built-in attributes.
    public var attributes: [SearchAttribute] {
        switch self {
        case .runs:
            [
                .string("run_id"), .string("run_name", aliases: ["run name", "Run name", "Run Name"]),
                .string("status"), .string("user_id"), .string("artifact_uri"),
                .number("start_time", aliases: ["created", "Created"]), .number("end_time"),
            ]
        case .experiments:
            [
                .string("name"),
                SearchAttribute("experiment_id", .integerIdentifier, [.equal, .notEqual, .inList, .notInList]),
                .number("creation_time"), .number("last_update_time"),
            ]
        case .registeredModels:
            [
                .string("name", FilterComparator.pattern),
                .number("creation_timestamp", searchable: false), .number("last_updated_timestamp", searchable: false),
            ]
        case .modelVersions:
            [
                .string("name"), .string("run_id", orderable: false),
                .string("source_path", FilterComparator.pattern, orderable: false),
                .number("version_number"),
                .number("creation_timestamp", searchable: false), .number("last_updated_timestamp", searchable: false),
            ]
        case .loggedModels:
            [
                .string("name"), .string("model_id"), .string("model_type"), .string("status"), .string("source_run_id"),
                .number("creation_timestamp", aliases: ["creation_time"]), .number("last_updated_timestamp"),
            ]
        }
    }

    /// The attribute a name or alias denotes, if any.
    public func attribute(named name: String) -> SearchAttribute? {
        attributes.first { $0.matches(name) }
    }
}
