import CairnCore

extension SQLTrackingStore {
    /// Runs a run SELECT (columns ``runColumns``) and attaches each run's latest metrics, params,
    /// tags, inputs and outputs (``readDetails(_:)``).
    func loadRuns(_ builder: SQLBuilder) async throws -> [Run] {
        try await loadRuns(rows: try await database.query(builder))
    }

    /// As ``loadRuns(_:)`` for rows already read (their first columns ``runColumns``).
    func loadRuns(rows: [SQLRow]) async throws -> [Run] {
        let infos = rows.map(Self.runInfo)
        guard !infos.isEmpty else { return [] }
        let details = try await readDetails(distinctIDs(infos))
        return infos.map { Self.run($0, details[$0.runID]) }
    }

    /// The runs of a search page's rows: ``runColumns``, then on PostgreSQL each run's details
    /// version (``detailVersionColumn``). There, the details of runs whose version has not moved
    /// since a search last read them come from ``VersionedCache``; the others are read (after
    /// their versions, which the search statement read) and kept under those versions.
    func loadVersionedRuns(rows: [SQLRow]) async throws -> [VersionedRun] {
        guard dialect == .postgres else { return try await loadRuns(rows: rows).map { VersionedRun(run: $0, detailsVersion: nil) } }
        let infos = rows.map(Self.runInfo)
        guard !infos.isEmpty else { return [] }
        var versions: [String: Int64] = [:]
        versions.reserveCapacity(rows.count)
        for (info, row) in zip(infos, rows) { versions[info.runID] = row.int(Self.runColumnCount) }
        let details = try await detailsCache.values(for: versions) { missing in
            let read = try await readDetails(missing)
            return Dictionary(uniqueKeysWithValues: missing.map { ($0, read[$0] ?? RunDetails()) })
        }
        return infos.map { VersionedRun(run: Self.run($0, details[$0.runID]), detailsVersion: versions[$0.runID]) }
    }

    private func distinctIDs(_ infos: [RunInfo]) -> [String] {
        var seen = Set<String>()
        return infos.map(\.runID).filter { seen.insert($0).inserted }
    }

    private static func run(_ info: RunInfo, _ details: RunDetails?) -> Run {
        let found = details ?? RunDetails()
        return Run(
            info: info, metrics: found.metrics, params: found.params, tags: found.tags, datasetInputs: found.datasetInputs,
            modelInputs: found.modelInputs, modelOutputs: found.modelOutputs
        )
    }

    /// The latest metrics, params, tags, inputs and outputs of `runIDs` (distinct) with one more
    /// statement per chunk of runs (never one per run, nor one per table: every statement costs a
    /// round trip and a plan, which dominated a search page).
    private func readDetails(_ runIDs: [String]) async throws -> [String: RunDetails] {
        var details: [String: RunDetails] = [:]
        // One detail row (SQLite; on PostgreSQL the datasets and model inputs/outputs).
        func collect(_ detail: RunDetail) {
            switch detail {
            case .metric(let runID, let metric): details[runID, default: RunDetails()].metrics.append(metric)
            case .param(let runID, let param): details[runID, default: RunDetails()].params.append(param)
            case .tag(let runID, let tag): details[runID, default: RunDetails()].tags.append(tag)
            case .dataset(let runID, let dataset): details[runID, default: RunDetails()].datasetInputs.append(dataset)
            case .modelInput(let runID, let modelID): details[runID, default: RunDetails()].modelInputs.append(modelID)
            case .modelOutput(let runID, let output): details[runID, default: RunDetails()].modelOutputs.append(output)
            case .unknown: break
            }
        }
        let chunkSize = 500
        for start in stride(from: 0, to: runIDs.count, by: chunkSize) {
            let ids = Array(runIDs[start..<min(start + chunkSize, runIDs.count)])
            guard dialect == .postgres else {
                for detail in try await database.query(Self.detailsQuery(ids), as: RunDetail.self) { collect(detail) }
                continue
            }
            for group in try await database.query(RunDetailGroupsStatement.self, [.textArray(ids)], as: RunDetailGroup.self) {
                switch group {
                case .metrics(let runID, let list): details[runID, default: RunDetails()].metrics = list
                case .params(let runID, let list): details[runID, default: RunDetails()].params = list
                case .tags(let runID, let list): details[runID, default: RunDetails()].tags = list
                case .other(let detail): collect(detail)
                }
            }
        }
        return details
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

/// The details query on PostgreSQL, the ids as one `text[]` in `$1` (distinct ids): one row per
/// run and table for metrics, params and tags, their columns aggregated into arrays in the order
/// they were first stored (`seq`), then the rare datasets and model inputs/outputs one row each,
/// ordered as ``SQLTrackingStore/detailsSQL(runs:order:)`` orders them. A page of 100 runs with
/// 25 details each is 300 rows instead of 2,500: postgres-nio's work per row (a `DataRow` message
/// through its state machine, then the row iterator) was most of the page's CPU. Its text never
/// changes, so it is prepared once per connection.
///
/// Each run's rows are sorted once, in a subquery that feeds every aggregate of its table in that
/// order (a subquery with an `ORDER BY` is never flattened), instead of one sort per aggregate
/// (`array_agg(x ORDER BY seq)`) as PostgreSQL 15 does (16 shares one sort among aggregates of
/// the same order): a 100-run page at 2,000 runs, 4.3 -> 3.2 ms (pgbench, PostgreSQL 15).
///
/// Each id's rows are read by a `LATERAL` subquery that aggregates or sorts, which PostgreSQL
/// cannot turn into a join (a plain one it can: hence the `ORDER BY` of datasets and models): so
/// whatever the statistics say, the plan is one primary-key range per id and table, and the
/// statement's cost follows the page, not the tables. Two plans it chose before were not:
/// `run_uuid = ANY($1)` in the prepared (generic) plan searches the array element by element, and
/// on a small table it did so for every row of a sequential scan (2,000 runs: 20,000 rows times
/// 100 ids per table); a join of `unnest($1)` became a hash join over sequential scans while the
/// tables had no statistics (12 ms instead of 4 for a 100-run page at 2,000 runs).
enum RunDetailGroupsStatement: FixedStatement {
    static let name = "run_detail_groups"
    static let sql = """
        SELECT CAST(1 AS BIGINT) AS kind, ids.id, d.keys, CAST(NULL AS TEXT[]) AS texts, d.numbers, d.timestamps, d.steps, d.nans,
            NULL AS s1, NULL AS s2, NULL AS s3, NULL AS s4, NULL AS s5, NULL AS s6, NULL AS s7, CAST(NULL AS BIGINT) AS n1
            FROM unnest($1::text[]) AS ids(id) CROSS JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS numbers, array_agg(timestamp) AS timestamps, array_agg(step) AS steps,
                    array_agg(CAST(is_nan AS BIGINT)) AS nans
                FROM (SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ids.id ORDER BY seq) m) d
            WHERE d.keys IS NOT NULL
        UNION ALL SELECT 2, ids.id, d.keys, d.texts, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM unnest($1::text[]) AS ids(id) CROSS JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS texts
                FROM (SELECT key, value FROM params WHERE run_uuid = ids.id ORDER BY seq) o) d
            WHERE d.keys IS NOT NULL
        UNION ALL SELECT 3, ids.id, d.keys, d.texts, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM unnest($1::text[]) AS ids(id) CROSS JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS texts
                FROM (SELECT key, value FROM run_tags WHERE run_uuid = ids.id ORDER BY seq) o) d
            WHERE d.keys IS NOT NULL
        UNION ALL SELECT 4, ids.id, NULL, NULL, NULL, NULL, NULL, NULL,
            d.name, d.digest, d.source_type, d.source, d.schema, d.profile, d.tags_json, NULL
            FROM unnest($1::text[]) AS ids(id) CROSS JOIN LATERAL (
                SELECT name, digest, source_type, source, schema, profile, tags_json FROM run_dataset_inputs WHERE run_uuid = ids.id
                ORDER BY name, digest) d
        UNION ALL SELECT 5, ids.id, NULL, NULL, NULL, NULL, NULL, NULL,
            d.direction, d.model_id, NULL, NULL, NULL, NULL, NULL, d.step
            FROM unnest($1::text[]) AS ids(id) CROSS JOIN LATERAL (
                SELECT direction, model_id, step FROM run_model_io WHERE run_uuid = ids.id ORDER BY direction, model_id) d
        ORDER BY 1, 9, 10
        """
}

/// A row of ``RunDetailGroupsStatement``: one run's metrics, params or tags, or one of its
/// datasets or model inputs/outputs.
private enum RunDetailGroup: SQLRowDecodable {
    case metrics(runID: String, [Metric])
    case params(runID: String, [Param])
    case tags(runID: String, [Tag])
    case other(RunDetail)

    init<Cells: SQLCells>(cells: inout Cells) throws {
        let kind = try cells.int()
        let runID = try cells.string()
        let keys = try cells.stringArray()
        let texts = try cells.stringArray()
        switch kind {
        case 1:
            let (values, timestamps, steps, nans) = (try cells.doubleArray(), try cells.intArray(), try cells.intArray(), try cells.intArray())
            guard values.count == keys.count, timestamps.count == keys.count, steps.count == keys.count, nans.count == keys.count else {
                throw SQLDatabaseError(.other, "run \(runID)'s metric arrays differ in length")
            }
            self = .metrics(
                runID: runID,
                keys.indices.map { Metric(key: keys[$0], value: nans[$0] != 0 ? .nan : values[$0], timestamp: timestamps[$0], step: steps[$0]) })
        case 2, 3:
            guard texts.count == keys.count else { throw SQLDatabaseError(.other, "run \(runID)'s key and value arrays differ in length") }
            self = kind == 2 ? .params(runID: runID, zip(keys, texts).map(Param.init)) : .tags(runID: runID, zip(keys, texts).map(Tag.init))
        case 4:
            _ = (try cells.doubleArray(), try cells.intArray(), try cells.intArray(), try cells.intArray())
            let (name, digest, sourceType, source) = (try cells.string(), try cells.string(), try cells.string(), try cells.string())
            let (schema, profile, tags) = (try cells.string(), try cells.string(), TagCodec.decode(try cells.string()))
            self = .other(
                .dataset(
                    runID: runID,
                    DatasetInput(name: name, digest: digest, sourceType: sourceType, source: source, schema: schema, profile: profile, tags: tags)))
        case 5:
            _ = (try cells.doubleArray(), try cells.intArray(), try cells.intArray(), try cells.intArray())
            let (direction, modelID) = (try cells.string(), try cells.string())
            _ = (try cells.string(), try cells.string(), try cells.string(), try cells.string(), try cells.string())
            let step = try cells.int()
            self = .other(
                direction == "input"
                    ? .modelInput(runID: runID, modelID: modelID) : .modelOutput(runID: runID, ModelOutput(modelID: modelID, step: step)))
        default:
            self = .other(.unknown)
        }
    }
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
