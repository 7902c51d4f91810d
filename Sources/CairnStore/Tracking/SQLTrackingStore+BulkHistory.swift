import CairnCore

extension SQLTrackingStore {
    public func metricHistoryBulk(runIDs: [String], key: String, maxResults: Int) async throws -> [Metric] {
        guard !runIDs.isEmpty else { throw CairnError.invalidParameter("GetMetricHistoryBulk request must specify at least one run_id.") }
        guard runIDs.count <= Limits.maxHistoryBulkRunIDs else {
            throw CairnError.invalidParameter(
                "GetMetricHistoryBulk request cannot specify more than \(Limits.maxHistoryBulkRunIDs) run_ids. Received \(runIDs.count) run_ids.")
        }
        guard !key.isEmpty else { throw CairnError.invalidParameter("GetMetricHistoryBulk request must specify a metric_key.") }
        let limit = min(max(maxResults, 0), Limits.maxHistoryBulkFullResults)
        var result: [Metric] = []
        // One query per run, in run id order; each stops at what is still wanted.
        for runID in Set(runIDs).sorted() where result.count < limit {
            var builder = SQLBuilder("SELECT timestamp, step, value, is_nan FROM metric_points WHERE series_id = ", dialect: dialect)
            builder.append(Self.seriesSubquery(runID: runID, key: key, into: &builder))
            builder.append(" ORDER BY timestamp, step, value LIMIT \(builder.bind(.int(Int64(limit - result.count))))")
            let rows = try await database.query(builder)
            for row in rows {
                let stored = row[2].double ?? 0
                let value = (row[3].int ?? 0) != 0 ? Double.nan : stored
                result.append(Metric(key: key, value: value, timestamp: row[0].int ?? 0, step: row[1].int ?? 0, runID: runID))
            }
        }
        return result
    }

    public func datasetSummaries(experimentIDs: [String]) async throws -> [DatasetSummary] {
        guard !experimentIDs.isEmpty else {
            throw CairnError.invalidParameter("SearchDatasets request must specify at least one experiment_id.")
        }
        guard experimentIDs.count <= Limits.maxDatasetSearchExperimentIDs else {
            throw CairnError.invalidParameter(
                "SearchDatasets request cannot specify more than \(Limits.maxDatasetSearchExperimentIDs) experiment_ids. Received \(experimentIDs.count) experiment_ids."
            )
        }
        let numbers = try experimentIDs.map { id throws(CairnError) -> Int64 in
            guard let number = Int64(id) else {
                throw .invalidParameter("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
            }
            return number
        }
        var builder = SQLBuilder(
            "SELECT DISTINCT r.experiment_id, d.name, d.digest, d.context FROM run_dataset_inputs d JOIN runs r ON r.run_uuid = d.run_uuid WHERE ",
            dialect: dialect)
        builder.append(builder.inList("r.experiment_id", ints: numbers))
        builder.append(" ORDER BY r.experiment_id, d.name, d.digest, d.context LIMIT \(builder.bind(.int(Int64(Limits.maxDatasetSummaries))))")
        return try await database.query(builder).map { row in
            let context = row[3].text ?? ""
            return DatasetSummary(
                experimentID: String(row[0].int ?? 0), name: row[1].text ?? "", digest: row[2].text ?? "", context: context.isEmpty ? nil : context)
        }
    }
}
