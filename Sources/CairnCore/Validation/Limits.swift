/// MLflow's server-side limits (`mlflow/utils/validation.py`), in one place so every surface
/// (MLflow API, CLI, dashboard) enforces the same numbers.
public enum Limits {
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsPerBatch = 100
    public static let maxTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxKeyLength = 250
    /// Longer param values are truncated to this length, as MLflow does by default.
    public static let maxParamValueLength = 6000
    /// Longer run tag values are truncated to this length, as MLflow does by default.
    public static let maxRunTagValueLength = 8000
    public static let maxExperimentNameLength = 500
    public static let maxExperimentTagValueLength = 20000
    public static let maxRunsSearchResults = 50_000
    public static let defaultRunsSearchResults = 1000
    public static let maxExperimentsSearchResults = 50_000
    public static let defaultExperimentsSearchResults = 1000
    public static let defaultLoggedModelsSearchResults = 100
    public static let maxHistoryBulkRunIDs = 100
    public static let maxHistoryBulkResults = 2500
    /// `metrics/get-history-bulk` (the UI's unsampled variant): the default and cap of `max_results`.
    public static let maxHistoryBulkFullResults = 25000
    /// A dataset input's fields and tags (MLflow's `_validate_dataset`, `_validate_input_tag`);
    /// longer ones are refused. Name and digest are part of the inputs' primary key.
    public static let maxDatasetNameLength = 500
    public static let maxDatasetDigestLength = 36
    public static let maxDatasetSourceLength = 65_535
    public static let maxDatasetSchemaLength = 1_048_575
    public static let maxDatasetProfileLength = 16_777_215
    public static let maxInputTagKeyLength = 255
    public static let maxInputTagValueLength = 500
    /// `experiments/search-datasets`: at most this many experiment ids, and this many summaries.
    public static let maxDatasetSearchExperimentIDs = 20
    public static let maxDatasetSummaries = 1000
    /// The largest `max_results` get-history accepts: MLflow declares the field int32, so larger
    /// values are invalid there too (and `limit + 1` must never overflow).
    public static let maxHistoryPageSize = Int(Int32.max)
    /// The largest offset a page token may carry; keeps `offset + limit` far from overflow.
    public static let maxPageOffset = Int(Int32.max)

    /// The most clauses a search filter may have. Each clause is a join or an `EXISTS` in SQL;
    /// a few hundred held a PostgreSQL backend for minutes. MLflow has no limit; real filters
    /// have a handful.
    public static let maxFilterClauses = 50
    /// The most `order_by` keys a search may have.
    public static let maxOrderByKeys = 10
    /// The most values an `IN (...)` / `NOT IN (...)` list may have (each is a bind; SQLite's
    /// limit is 32,766 per statement).
    public static let maxInListValues = 1000
    /// The most values all `IN` lists of one filter may have together.
    public static let maxFilterListValues = 10_000
    /// The most experiment ids one run or logged-model search may name.
    public static let maxSearchExperimentIDs = 1000

    /// - Throws: 400 when a search names more experiments than ``maxSearchExperimentIDs``.
    public static func checkSearchExperimentIDs(_ count: Int) throws(CairnError) {
        guard count <= maxSearchExperimentIDs else {
            throw .invalidParameter(
                "Invalid value for parameter 'experiment_ids': \(count) ids given; a search takes at most \(maxSearchExperimentIDs)")
        }
    }
}
