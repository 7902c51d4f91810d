/// One metric point. NaN and ±Infinity are legal values, as in MLflow; ±Infinity is stored as
/// ±`Double.greatestFiniteMagnitude` (``stored``), as MLflow's SQL store stores it.
public struct Metric: Sendable, Hashable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    /// The run the point belongs to, where a response carries it (bulk history, logged models).
    public var runID: String?
    /// MLflow 3: the logged model the point was recorded for.
    public var modelID: String?
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String, value: Double, timestamp: Int64, step: Int64, runID: String? = nil,
        modelID: String? = nil, datasetName: String? = nil, datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.runID = runID
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    /// MLflow's latest-value rule: the point with the greatest step wins, then the greatest
    /// timestamp, then the greatest value (NaN counts as lowest).
    public func isLater(than other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN { return false }
        if other.value.isNaN { return true }
        return value > other.value
    }

    /// The point as MLflow's SQL store keeps it: ±Infinity becomes ±1.7976931348623157e308
    /// (`Double.greatestFiniteMagnitude`), which is what every read then returns and what
    /// searches compare; NaN stays NaN.
    public var stored: Metric {
        guard value.isInfinite else { return self }
        var copy = self
        copy.value = value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
        return copy
    }
}
