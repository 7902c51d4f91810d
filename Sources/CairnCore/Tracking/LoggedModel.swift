/// An MLflow 3 logged model: model files kept under the experiment, outside any run.
public struct LoggedModel: Sendable, Hashable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var artifactLocation: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var status: String
    public var statusMessage: String
    public var modelType: String
    public var sourceRunID: String
    public var tags: [Tag]
    public var params: [Param]
    public var metrics: [Metric]

    public init(
        modelID: String, experimentID: String, name: String, artifactLocation: String, creationTimestamp: Int64,
        lastUpdatedTimestamp: Int64, status: String, statusMessage: String = "", modelType: String = "",
        sourceRunID: String = "", tags: [Tag] = [], params: [Param] = [], metrics: [Metric] = []
    ) {
        self.modelID = modelID
        self.experimentID = experimentID
        self.name = name
        self.artifactLocation = artifactLocation
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.status = status
        self.statusMessage = statusMessage
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.tags = tags
        self.params = params
        self.metrics = metrics
    }

    /// The statuses MLflow's `LoggedModelStatus` defines.
    public static let statuses: Set<String> = [
        "LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED",
    ]
}
