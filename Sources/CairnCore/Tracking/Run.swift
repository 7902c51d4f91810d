/// A run: one execution of training code, with its params, tags and metrics.
public struct Run: Sendable, Hashable {
    public var info: RunInfo
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [Tag]
    public var datasetInputs: [DatasetInput]
    public var modelInputs: [String]
    public var modelOutputs: [ModelOutput]

    public init(
        info: RunInfo, metrics: [Metric] = [], params: [Param] = [], tags: [Tag] = [],
        datasetInputs: [DatasetInput] = [], modelInputs: [String] = [], modelOutputs: [ModelOutput] = []
    ) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.datasetInputs = datasetInputs
        self.modelInputs = modelInputs
        self.modelOutputs = modelOutputs
    }
}

/// The run's own attributes (MLflow's `RunInfo`).
public struct RunInfo: Sendable, Hashable {
    public var runID: String
    public var runName: String
    public var experimentID: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        runID: String, runName: String, experimentID: String, userID: String, status: RunStatus,
        startTime: Int64, endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage
    ) {
        self.runID = runID
        self.runName = runName
        self.experimentID = experimentID
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// MLflow's `RunStatus`.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses the wire value: the name, or the proto enum number MLflow also accepts.
    public init(wire: String) throws(CairnError) {
        let numbers: [String: RunStatus] = ["1": .running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
        if let status = RunStatus(rawValue: wire.uppercased()) ?? numbers[wire] {
            self = status
        } else {
            throw .invalidParameter("Invalid run status '\(wire)'; expected one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// A param: written once per run and key.
public struct Param: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A dataset a run consumed (`log-inputs`).
public struct DatasetInput: Sendable, Hashable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String
    public var profile: String
    public var tags: [Tag]

    public init(name: String, digest: String, sourceType: String, source: String, schema: String, profile: String, tags: [Tag]) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
        self.tags = tags
    }
}

/// A logged model a run produced (`runs/outputs`).
public struct ModelOutput: Sendable, Hashable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}

/// A dataset used by runs of an experiment, in one context (`experiments/search-datasets`).
public struct DatasetSummary: Sendable, Hashable {
    public var experimentID: String
    public var name: String
    public var digest: String
    /// The input tag `mlflow.data.context` (`train`, `eval`), nil when the input had none.
    public var context: String?

    public init(experimentID: String, name: String, digest: String, context: String?) {
        self.experimentID = experimentID
        self.name = name
        self.digest = digest
        self.context = context
    }
}
