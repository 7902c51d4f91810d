import CairnCore

extension SQLTrackingStore {
    /// Runs a run SELECT (columns ``runColumns``) and attaches each run's latest metrics, params,
    /// tags, inputs and outputs with one more statement per chunk of runs (never one per run, nor
    /// one per table: every statement costs a round trip and a plan, which dominated a search page).
    func loadRuns(_ builder: SQLBuilder) async throws -> [Run] {
        try await loadRuns(rows: try await database.query(builder))
    }

    /// As ``loadRuns(_:)`` for rows already read (their first columns ``runColumns``).
    func loadRuns(rows: [SQLRow]) async throws -> [Run] {
        let infos = rows.map(Self.runInfo)
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
            let details =
                dialect == .postgres
                ? try await database.query(RunDetailsStatement.self, [.textArray(ids)], as: RunDetail.self)
                : try await database.query(Self.detailsQuery(ids), as: RunDetail.self)
            for detail in details {
                switch detail {
                case .metric(let runID, let metric): metrics[runID, default: []].append(metric)
                case .param(let runID, let param): params[runID, default: []].append(param)
                case .tag(let runID, let tag): tags[runID, default: []].append(tag)
                case .dataset(let runID, let dataset): datasets[runID, default: []].append(dataset)
                case .modelInput(let runID, let modelID): modelInputs[runID, default: []].append(modelID)
                case .modelOutput(let runID, let output): modelOutputs[runID, default: []].append(output)
                case .unknown: continue
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

    /// One statement for the details of the runs `runs` selects: a UNION ALL of the five tables in
    /// one column layout `(kind, run_uuid, s1, s2, d1, n1, n2, n3, s3…s7, o)`, ordered by kind, then
    /// metrics, params and tags in the order they were first stored (`o`: `rowid` on SQLite, `seq`
    /// on PostgreSQL), the order MLflow lists them in, and datasets and model inputs/outputs by
    /// their first text columns (name; direction and model id). What most rows need comes first,
    /// so that ``RunDetail`` stops reading a param or tag after four cells instead of fourteen.
    /// `runs` is repeated in every branch.
    fileprivate static func detailsSQL(runs: String, order: String) -> String {
        """
        SELECT CAST(1 AS BIGINT) AS kind, run_uuid, key AS s1, NULL AS s2, value AS d1, timestamp AS n1, step AS n2, CAST(is_nan AS BIGINT) AS n3,
            NULL AS s3, NULL AS s4, NULL AS s5, NULL AS s6, NULL AS s7, \(order) AS o FROM latest_metrics WHERE \(runs)
        UNION ALL SELECT 2, run_uuid, key, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \(order) FROM params WHERE \(runs)
        UNION ALL SELECT 3, run_uuid, key, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \(order) FROM run_tags WHERE \(runs)
        UNION ALL SELECT 4, run_uuid, name, digest, NULL, NULL, NULL, NULL, source_type, source, schema, profile, tags_json, 0
            FROM run_dataset_inputs WHERE \(runs)
        UNION ALL SELECT 5, run_uuid, direction, model_id, NULL, step, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0
            FROM run_model_io WHERE \(runs)
        ORDER BY 1, 14, 3, 4
        """
    }

    /// The details query on SQLite: the id list bound once, its placeholders reused by every branch.
    private static func detailsQuery(_ ids: [String]) -> SQLBuilder {
        var builder = SQLBuilder(dialect: .sqlite)
        builder.append(detailsSQL(runs: builder.inList("run_uuid", texts: ids), order: "rowid"))
        return builder
    }
}

/// The details query on PostgreSQL, the ids as one `text[]` in `$1`: its text never changes, so it
/// is prepared once per connection (planning its five branches cost about as much as running them).
private enum RunDetailsStatement: FixedStatement {
    static let name = "run_details"
    static let sql = SQLTrackingStore.detailsSQL(runs: "run_uuid = ANY($1)", order: "seq")
}

/// A row of the details query, read straight from the engine's cells up to the last column its
/// kind uses.
private enum RunDetail: SQLRowDecodable {
    case metric(runID: String, Metric)
    case param(runID: String, Param)
    case tag(runID: String, Tag)
    case dataset(runID: String, DatasetInput)
    case modelInput(runID: String, modelID: String)
    case modelOutput(runID: String, ModelOutput)
    /// A kind this version does not know (the query only selects known ones).
    case unknown

    init<Cells: SQLCells>(cells: inout Cells) throws {
        let kind = try cells.int()
        let runID = try cells.string()
        let s1 = try cells.string()
        let s2 = try cells.string()
        switch kind {
        case 1:
            let value = try cells.double()
            let timestamp = try cells.int()
            let step = try cells.int()
            let isNaN = try cells.int() != 0
            self = .metric(runID: runID, Metric(key: s1, value: isNaN ? .nan : value, timestamp: timestamp, step: step))
        case 2:
            self = .param(runID: runID, Param(key: s1, value: s2))
        case 3:
            self = .tag(runID: runID, Tag(key: s1, value: s2))
        case 4:
            _ = (try cells.double(), try cells.int(), try cells.int(), try cells.int())  // d1, n1…n3: unused by datasets
            let (sourceType, source, schema, profile) = (try cells.string(), try cells.string(), try cells.string(), try cells.string())
            let tags = TagCodec.decode(try cells.string())
            self = .dataset(
                runID: runID,
                DatasetInput(name: s1, digest: s2, sourceType: sourceType, source: source, schema: schema, profile: profile, tags: tags))
        case 5 where s1 == "input":
            self = .modelInput(runID: runID, modelID: s2)
        case 5:
            _ = try cells.double()
            self = .modelOutput(runID: runID, ModelOutput(modelID: s2, step: try cells.int()))
        default:
            self = .unknown
        }
    }
}
