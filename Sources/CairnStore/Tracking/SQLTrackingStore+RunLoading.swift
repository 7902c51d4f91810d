import CairnCore

extension SQLTrackingStore {
    /// Runs a run SELECT (columns ``runColumns``) and attaches each run's latest metrics, params,
    /// tags, inputs and outputs with one more statement per chunk of runs (never one per run, nor
    /// one per table: every statement costs a round trip and a plan, which dominated a search page).
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
            let rows =
                dialect == .postgres
                ? try await database.query(RunDetailsStatement.self, [.textArray(ids)])
                : try await database.query(Self.detailsQuery(ids))
            for row in rows {
                let runID = row.string(1)
                switch DetailKind(rawValue: row.int(0)) {
                case .metric:
                    let value = row.int(12) != 0 ? Double.nan : row.double(9)
                    metrics[runID, default: []].append(Metric(key: row.string(2), value: value, timestamp: row.int(10), step: row.int(11)))
                case .param:
                    params[runID, default: []].append(Param(key: row.string(2), value: row.string(3)))
                case .tag:
                    tags[runID, default: []].append(Tag(key: row.string(2), value: row.string(3)))
                case .dataset:
                    datasets[runID, default: []].append(
                        DatasetInput(
                            name: row.string(2), digest: row.string(3), sourceType: row.string(4), source: row.string(5),
                            schema: row.string(6), profile: row.string(7), tags: TagCodec.decode(row.string(8))
                        ))
                case .modelIO where row.string(2) == "input":
                    modelInputs[runID, default: []].append(row.string(3))
                case .modelIO:
                    modelOutputs[runID, default: []].append(ModelOutput(modelID: row.string(3), step: row.int(10)))
                case nil:
                    continue
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

    /// What a row of ``detailsQuery(_:dialect:)`` carries (its first column).
    private enum DetailKind: Int64 {
        case metric = 1, param, tag, dataset, modelIO
    }

    /// One statement for the details of the runs `runs` selects: a UNION ALL of the five tables in
    /// one column layout `(kind, run_uuid, s1…s7 text, d1 double, n1…n3 integer)`, ordered by kind
    /// and then by the first text columns (key; dataset name; direction and model id), the order
    /// MLflow lists them in. `runs` is repeated in every branch (its binds are shared).
    fileprivate static func detailsSQL(runs: String) -> String {
        """
        SELECT 1 AS kind, run_uuid, key AS s1, NULL AS s2, NULL AS s3, NULL AS s4, NULL AS s5, NULL AS s6, NULL AS s7,
            value AS d1, timestamp AS n1, step AS n2, is_nan AS n3 FROM latest_metrics WHERE \(runs)
        UNION ALL SELECT 2, run_uuid, key, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM params WHERE \(runs)
        UNION ALL SELECT 3, run_uuid, key, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM run_tags WHERE \(runs)
        UNION ALL SELECT 4, run_uuid, name, digest, source_type, source, schema, profile, tags_json, NULL, NULL, NULL, NULL
            FROM run_dataset_inputs WHERE \(runs)
        UNION ALL SELECT 5, run_uuid, direction, model_id, NULL, NULL, NULL, NULL, NULL, NULL, step, NULL, NULL
            FROM run_model_io WHERE \(runs)
        ORDER BY 1, 3, 4
        """
    }

    /// The details query on SQLite: the id list bound once, its placeholders reused by every branch.
    private static func detailsQuery(_ ids: [String]) -> SQLBuilder {
        var builder = SQLBuilder(dialect: .sqlite)
        builder.append(detailsSQL(runs: inList("run_uuid", texts: ids, into: &builder)))
        return builder
    }
}

/// The details query on PostgreSQL, the ids as one `text[]` in `$1`: its text never changes, so it
/// is prepared once per connection (planning its five branches cost about as much as running them).
private enum RunDetailsStatement: FixedStatement {
    static let name = "run_details"
    static let sql = SQLTrackingStore.detailsSQL(runs: "run_uuid = ANY($1)")
}
