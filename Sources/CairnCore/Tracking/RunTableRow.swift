/// A row of the dashboard's runs table: a run's attributes and only the columns the viewer chose
/// (latest metric values and params by key), so a page costs the same whatever else the runs logged.
public struct RunTableRow: Sendable, Hashable {
    public var info: RunInfo
    /// Latest value per chosen metric key the run has (NaN as NaN).
    public var metrics: [String: Double]
    /// Value per chosen param key the run has.
    public var params: [String: String]

    public init(info: RunInfo, metrics: [String: Double], params: [String: String]) {
        self.info = info
        self.metrics = metrics
        self.params = params
    }
}
