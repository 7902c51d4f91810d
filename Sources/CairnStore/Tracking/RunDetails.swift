import CairnCore

/// Everything of a run but its attributes: what ``SQLTrackingStore/loadVersionedRuns(rows:)``
/// reads from five tables besides `runs`.
struct RunDetails: Sendable {
    var metrics: [Metric] = []
    var params: [Param] = []
    var tags: [Tag] = []
    var datasetInputs: [DatasetInput] = []
    var modelInputs: [String] = []
    var modelOutputs: [ModelOutput] = []

    /// A rough size in bytes (text plus a fixed overhead per value), for the cache's budget.
    var estimatedBytes: Int {
        var bytes = 256
        for metric in metrics { bytes += 64 + metric.key.utf8.count }
        for param in params { bytes += 64 + param.key.utf8.count + param.value.utf8.count }
        for tag in tags { bytes += 64 + tag.key.utf8.count + tag.value.utf8.count }
        for dataset in datasetInputs {
            bytes += 64 + dataset.name.utf8.count + dataset.digest.utf8.count + dataset.sourceType.utf8.count + dataset.source.utf8.count
            bytes += dataset.schema.utf8.count + dataset.profile.utf8.count
            for tag in dataset.tags { bytes += 64 + tag.key.utf8.count + tag.value.utf8.count }
        }
        for modelID in modelInputs { bytes += 64 + modelID.utf8.count }
        for output in modelOutputs { bytes += 64 + output.modelID.utf8.count }
        return bytes
    }
}
