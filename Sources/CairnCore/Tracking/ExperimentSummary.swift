/// An experiment with what a list of experiments shows beside it: how many active runs it has and
/// when one of them last started or ended.
public struct ExperimentSummary: Sendable, Hashable {
    public var experiment: Experiment
    public var runCount: Int64
    /// Milliseconds since the epoch; nil without runs.
    public var lastActivity: Int64?

    public init(experiment: Experiment, runCount: Int64, lastActivity: Int64?) {
        self.experiment = experiment
        self.runCount = runCount
        self.lastActivity = lastActivity
    }
}
