import CairnCore

/// The tracking half of MLflow's API as storage operations: experiments, runs, params, tags,
/// metrics, inputs/outputs and MLflow 3 logged models. Every business rule (param write-once,
/// duplicate metrics dropped, latest-metric rule, active-state checks, limits) is enforced here,
/// so every surface on top shares it.
///
/// All methods throw ``CairnCore/CairnError`` for a request that breaks a rule, and
/// ``SQLDatabaseError`` only for engine failures.
public protocol TrackingStore: Sendable {
    /// Answers when the database does (for `/ready`).
    func ping() async throws

    // MARK: Experiments
    func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws -> String
    func experiment(id: String) async throws -> Experiment
    func experiment(named name: String) async throws -> Experiment
    func searchExperiments(_ request: ExperimentSearchRequest) async throws -> Page<Experiment>
    func renameExperiment(id: String, newName: String) async throws
    func deleteExperiment(id: String) async throws
    func restoreExperiment(id: String) async throws
    func setExperimentTag(id: String, tag: Tag) async throws
    func deleteExperimentTag(id: String, key: String) async throws

    // MARK: Runs
    func createRun(_ request: CreateRunRequest) async throws -> Run
    func run(id: String) async throws -> Run
    /// The run's attributes only (no metrics, params or tags): one query.
    func runInfo(id: String) async throws -> RunInfo
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo
    func deleteRun(id: String) async throws
    func restoreRun(id: String) async throws
    /// Appends an MLmodel dictionary to the run's `mlflow.log-model.history` tag (legacy `log-model`).
    func appendLoggedModelHistory(runID: String, modelJSON: String) async throws
    /// Logs metrics, params and tags in one transaction (log-batch; log-metric, log-parameter
    /// and set-tag are batches of one).
    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws
    func deleteRunTag(runID: String, key: String) async throws
    func searchRuns(_ request: RunSearchRequest) async throws -> Page<Run>
    /// The same page, each run with the details version its details were read under (nil where
    /// none are kept), for callers that keep what they derive from a run's details.
    func searchVersionedRuns(_ request: RunSearchRequest) async throws -> Page<VersionedRun>
    /// A page of the same search with only the chosen metric and param columns (the dashboard).
    func searchRunTable(_ request: RunSearchRequest, metricKeys: [String], paramKeys: [String]) async throws -> Page<RunTableRow>
    /// Up to `limit` metric and param keys of a run, in key order.
    func runKeys(runID: String, limit: Int) async throws -> (metrics: [String], params: [String])
    /// One page of a metric's history, ordered by timestamp, step, value.
    func metricHistory(runID: String, key: String, offset: Int, limit: Int?) async throws -> Page<Metric>
    /// Up to `maxResults` points per run, sampled evenly over the step range.
    /// One metric of a run reduced by the M4 rule to at most four points per bucket, in step order.
    func metricSeriesDownsampled(runID: String, key: String, buckets: Int) async throws -> [Metric]
    /// The reductions of several series for the dashboard's charts, kept between requests.
    func metricCharts(_ series: [SeriesKey], axis: ChartAxis, buckets: Int, range: ClosedRange<Int64>?) async throws -> [SeriesKey: [Metric]]
    /// Active experiments whose name contains the text, newest first, with run counts and last activity.
    func experimentSummaries(nameContains: String?, limit: Int) async throws -> [ExperimentSummary]
    func metricHistoryBulkInterval(runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int) async throws -> [Metric]
    /// The UI's `metrics/get-history-bulk`: every point of `key` of the given runs, ordered by run
    /// id, timestamp, step and value, cut at `maxResults` in total; unknown runs give nothing.
    /// - Throws: 400 with MLflow's texts for no run id, more than 100, or no key.
    func metricHistoryBulk(runIDs: [String], key: String, maxResults: Int) async throws -> [Metric]
    /// The UI's `experiments/search-datasets`: one summary per (experiment, dataset, context) of
    /// the inputs logged to runs of the experiments, at most 1000.
    /// - Throws: 400 with MLflow's texts for no experiment id, more than 20, or one that is not an integer.
    func datasetSummaries(experimentIDs: [String]) async throws -> [DatasetSummary]
    func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws
    func logOutputs(runID: String, models: [ModelOutput]) async throws

    // MARK: Logged models
    func createLoggedModel(_ request: CreateLoggedModelRequest) async throws -> LoggedModel
    func loggedModel(id: String) async throws -> LoggedModel
    func finalizeLoggedModel(id: String, status: String) async throws -> LoggedModel
    func deleteLoggedModel(id: String) async throws
    func searchLoggedModels(_ request: LoggedModelSearchRequest) async throws -> Page<LoggedModel>
    func setLoggedModelTags(id: String, tags: [Tag]) async throws -> LoggedModel
    func deleteLoggedModelTag(id: String, key: String) async throws
    func logLoggedModelParams(id: String, params: [Param]) async throws
}

/// One page of results and the opaque token for the next (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

public struct ExperimentSearchRequest: Sendable {
    public var filter: String?
    public var orderBy: [String]
    public var viewType: ViewType
    public var maxResults: Int
    public var pageToken: String?

    public init(
        filter: String? = nil, orderBy: [String] = [], viewType: ViewType = .activeOnly, maxResults: Int = Limits.defaultExperimentsSearchResults,
        pageToken: String? = nil
    ) {
        self.filter = filter
        self.orderBy = orderBy
        self.viewType = viewType
        self.maxResults = maxResults
        self.pageToken = pageToken
    }
}

public struct RunSearchRequest: Sendable {
    public var experimentIDs: [String]
    public var filter: String?
    public var orderBy: [String]
    public var viewType: ViewType
    public var maxResults: Int
    public var pageToken: String?

    public init(
        experimentIDs: [String], filter: String? = nil, orderBy: [String] = [], viewType: ViewType = .activeOnly,
        maxResults: Int = Limits.defaultRunsSearchResults, pageToken: String? = nil
    ) {
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.orderBy = orderBy
        self.viewType = viewType
        self.maxResults = maxResults
        self.pageToken = pageToken
    }
}

public struct CreateRunRequest: Sendable {
    public var experimentID: String
    public var userID: String
    public var runName: String?
    public var startTime: Int64?
    public var tags: [Tag]

    public init(experimentID: String, userID: String = "", runName: String? = nil, startTime: Int64? = nil, tags: [Tag] = []) {
        self.experimentID = experimentID
        self.userID = userID
        self.runName = runName
        self.startTime = startTime
        self.tags = tags
    }
}

public struct CreateLoggedModelRequest: Sendable {
    public var experimentID: String
    public var name: String?
    public var modelType: String?
    public var sourceRunID: String?
    public var params: [Param]
    public var tags: [Tag]

    public init(
        experimentID: String, name: String? = nil, modelType: String? = nil, sourceRunID: String? = nil, params: [Param] = [], tags: [Tag] = []
    ) {
        self.experimentID = experimentID
        self.name = name
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.params = params
        self.tags = tags
    }
}

public struct LoggedModelSearchRequest: Sendable {
    /// A dataset of `logged-models/search` `datasets` (and of a metric `order_by`).
    public struct Dataset: Sendable, Hashable {
        /// Required: MLflow refuses a clause without it.
        public var name: String?
        /// Nil: any digest of that name.
        public var digest: String?

        public init(name: String?, digest: String? = nil) {
            self.name = name
            self.digest = digest
        }
    }

    /// One `order_by` entry: an attribute (`creation_timestamp`, `name`, …) or `metrics.<key>`,
    /// optionally the metric's value on one dataset.
    public struct Order: Sendable, Hashable {
        public var field: String
        public var ascending: Bool
        public var dataset: Dataset?

        public init(field: String, ascending: Bool = true, dataset: Dataset? = nil) {
            self.field = field
            self.ascending = ascending
            self.dataset = dataset
        }
    }

    public var experimentIDs: [String]
    public var filter: String?
    /// Only models with metrics on one of these datasets; `metrics.` comparisons of `filter`
    /// compare the values on them. Empty: no restriction.
    public var datasets: [Dataset]
    /// Empty: newest first.
    public var orderBy: [Order]
    public var maxResults: Int
    public var pageToken: String?

    public init(
        experimentIDs: [String], filter: String? = nil, datasets: [Dataset] = [], orderBy: [Order] = [],
        maxResults: Int = Limits.defaultLoggedModelsSearchResults, pageToken: String? = nil
    ) {
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.datasets = datasets
        self.orderBy = orderBy
        self.maxResults = maxResults
        self.pageToken = pageToken
    }
}
