import CairnCore

extension SQLTrackingStore {
    /// Runs a run SELECT (columns ``runColumns``) and attaches each run's latest metrics, params,
    /// tags, inputs and outputs with one query per table per chunk of runs (never one per run).
    func loadRuns(_ builder: SQLBuilder) async throws -> [Run] {
        let infos = try await database.query(builder).map(Self.runInfo)
        guard !infos.isEmpty else { return [] }
        var metrics: [String: [Metric]] = [:]
        var params: [String: [Param]] = [:]
        var tags: [String: [Tag]] = [:]
        var datasets: [String: [DatasetInput]] = [:]
        var modelInputs: [String: [String]] = [:]
        var modelOutputs: [String: [ModelOutput]] = [:]
        let chunkSize = 500
        for start in stride(from: 0, to: infos.count, by: chunkSize) {
            let ids = infos[start..<min(start + chunkSize, infos.count)].map(\.runID)
            for row in try await selectForRuns("run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics", ids, order: "key") {
                let value = row.int(5) != 0 ? Double.nan : row.double(2)
                metrics[row.string(0), default: []].append(Metric(key: row.string(1), value: value, timestamp: row.int(3), step: row.int(4)))
            }
            for row in try await selectForRuns("run_uuid, key, value FROM params", ids, order: "key") {
                params[row.string(0), default: []].append(Param(key: row.string(1), value: row.string(2)))
            }
            for row in try await selectForRuns("run_uuid, key, value FROM run_tags", ids, order: "key") {
                tags[row.string(0), default: []].append(Tag(key: row.string(1), value: row.string(2)))
            }
            let datasetColumns = "run_uuid, name, digest, source_type, source, schema, profile, tags_json FROM run_dataset_inputs"
            for row in try await selectForRuns(datasetColumns, ids, order: "name") {
                datasets[row.string(0), default: []].append(
                    DatasetInput(
                        name: row.string(1), digest: row.string(2), sourceType: row.string(3), source: row.string(4),
                        schema: row.string(5), profile: row.string(6), tags: TagCodec.decode(row.string(7))
                    ))
            }
            for row in try await selectForRuns("run_uuid, direction, model_id, step FROM run_model_io", ids, order: "model_id") {
                if row.string(1) == "input" {
                    modelInputs[row.string(0), default: []].append(row.string(2))
                } else {
                    modelOutputs[row.string(0), default: []].append(ModelOutput(modelID: row.string(2), step: row.int(3)))
                }
            }
        }
        return infos.map { info in
            Run(
                info: info, metrics: metrics[info.runID] ?? [], params: params[info.runID] ?? [], tags: tags[info.runID] ?? [],
                datasetInputs: datasets[info.runID] ?? [], modelInputs: modelInputs[info.runID] ?? [],
                modelOutputs: modelOutputs[info.runID] ?? []
            )
        }
    }

    /// `SELECT <columnsAndTable> WHERE run_uuid IN ids ORDER BY run_uuid, <order>`.
    private func selectForRuns(_ columnsAndTable: String, _ ids: [String], order: String) async throws -> [SQLRow] {
        var builder = SQLBuilder("SELECT \(columnsAndTable) WHERE ", dialect: dialect)
        builder.append(Self.inList("run_uuid", texts: ids, into: &builder))
        builder.append(" ORDER BY run_uuid, \(order)")
        return try await database.query(builder)
    }
}
