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
    /// The largest `max_results` get-history accepts: MLflow declares the field int32, so larger
    /// values are invalid there too (and `limit + 1` must never overflow).
    public static let maxHistoryPageSize = Int(Int32.max)
    /// The largest offset a page token may carry; keeps `offset + limit` far from overflow.
    public static let maxPageOffset = Int(Int32.max)
}
