import CairnCore
import CairnStore
import Testing

struct SearchCompilerTests {
    private func runs(
        _ filter: String?,
        _ orderBy: [String] = [],
        dialect: SQLDialect = .postgres
    ) throws -> (search: CompiledSearch, binds: [SQLValue]) {
        var builder = SQLBuilder(dialect: dialect)
        let search = try RunSearchCompiler.compile(filter: filter, orderBy: orderBy, into: &builder)
        #expect(builder.sql.isEmpty, "the compiler binds values but writes no SQL into the builder")
        return (search, builder.binds)
    }

    private func experiments(_ filter: String?, _ orderBy: [String] = []) throws -> (search: CompiledSearch, binds: [SQLValue]) {
        var builder = SQLBuilder(dialect: .postgres)
        let search = try ExperimentSearchCompiler.compile(filter: filter, orderBy: orderBy, into: &builder)
        return (search, builder.binds)
    }

    @Test(arguments: [SQLDialect.postgres, .sqlite])
    func noFilterMatchesEverythingInDefaultRunOrder(dialect: SQLDialect) throws {
        let (search, binds) = try runs(nil, dialect: dialect)
        #expect(search.whereSQL == "1=1")
        #expect(search.orderBySQL == "r.start_time DESC, r.run_uuid ASC")
        #expect(binds.isEmpty)
    }

    @Test func metricComparesTheLatestNonNaNValueWithBoundKeyAndValue() throws {
        let (search, binds) = try runs("metrics.acc > 0.9")
        #expect(
            search.whereSQL == "EXISTS (SELECT 1 FROM latest_metrics lm WHERE lm.run_uuid = r.run_uuid AND lm.key = $1 "
                + "AND lm.is_nan = 0 AND lm.value > $2)"
        )
        #expect(binds == [.text("acc"), .double(0.9)])
    }

    @Test func paramAndTagConditionsUseExistsAndNotEqualRequiresTheKey() throws {
        let (search, binds) = try runs("params.lr != '0.01' AND tags.mlflow.runName = 'x'")
        #expect(
            search.whereSQL == "(EXISTS (SELECT 1 FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = $1 AND p.value != $2) AND "
                + "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_uuid = r.run_uuid AND t.key = $3 AND t.value = $4))"
        )
        #expect(binds == [.text("lr"), .text("0.01"), .text("mlflow.runName"), .text("x")])
    }

    @Test func isNullIsNotExistsAndIsNotNullIsExists() throws {
        let (search, binds) = try runs("tags.x IS NULL AND params.y IS NOT NULL")
        #expect(search.whereSQL.contains("NOT EXISTS (SELECT 1 FROM run_tags t WHERE t.run_uuid = r.run_uuid AND t.key = $1)"))
        #expect(search.whereSQL.contains(" AND EXISTS (SELECT 1 FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = $2)"))
        #expect(binds == [.text("x"), .text("y")])
    }

    @Test func likeIsCaseSensitiveWithBackslashEscapeOnBothEngines() throws {
        for dialect in [SQLDialect.postgres, .sqlite] {
            let (search, binds) = try runs("run_name LIKE 'cv-%'", dialect: dialect)
            #expect(search.whereSQL == "r.name LIKE $1 ESCAPE '\\'")
            #expect(binds == [.text("cv-%")])
        }
    }

    @Test func ilikeIsILikeOnPostgresAndLowerLikeOnSQLite() throws {
        #expect(try runs("tags.t ILIKE 'A%'", dialect: .postgres).search.whereSQL.contains("t.value ILIKE $2 ESCAPE '\\'"))
        #expect(try runs("tags.t ILIKE 'A%'", dialect: .sqlite).search.whereSQL.contains("lower(t.value) LIKE lower($2) ESCAPE '\\'"))
    }

    @Test func inListsBindEveryElement() throws {
        let (search, binds) = try runs("run_id IN ('a', 'b', 'c') AND status NOT IN ('FAILED')")
        #expect(search.whereSQL == "(r.run_uuid IN ($1, $2, $3) AND r.status NOT IN ($4))")
        #expect(binds == [.text("a"), .text("b"), .text("c"), .text("FAILED")])
    }

    @Test func numericAttributesBindIntegersWhenIntegral() throws {
        let (search, binds) = try runs("created >= 1000 AND end_time < 2000.5")
        #expect(search.whereSQL == "(r.start_time >= $1 AND r.end_time < $2)")
        #expect(binds == [.int(1000), .double(2000.5)])
    }

    @Test func datasetsMatchAnyDatasetInput() throws {
        let (search, binds) = try runs("datasets.context = 'train'")
        #expect(search.whereSQL == "EXISTS (SELECT 1 FROM run_dataset_inputs d WHERE d.run_uuid = r.run_uuid AND d.context = $1)")
        #expect(binds == [.text("train")])
    }

    @Test(arguments: [
        "attributes.run_name = 'x''; DROP TABLE runs; --'",
        "tags.`x'; DROP TABLE runs; --` = 'a'",
        "params.p LIKE \"x'; DROP TABLE runs; --\"",
        "run_id IN ('x''; DROP TABLE runs; --')",
    ])
    func userTextOnlyEverAppearsInBinds(filter: String) throws {
        let injection = "x'; DROP TABLE runs; --"
        let (search, binds) = try runs(filter, ["tags.`x'; DROP TABLE runs; --` DESC"])
        #expect(!search.whereSQL.contains("DROP"))
        #expect(!search.orderBySQL.contains("DROP"))
        #expect(binds.contains(.text(injection)))
    }

    @Test func orderByMetricSortsNaNAndMissingLastThenDefaultTieBreakers() throws {
        let (search, binds) = try runs(nil, ["metrics.acc DESC"])
        #expect(search.joinSQL == "LEFT JOIN latest_metrics o0 ON o0.run_uuid = r.run_uuid AND o0.key = $1")
        #expect(search.orderBySQL == "COALESCE(o0.is_nan, 2) ASC, o0.value DESC, r.start_time DESC, r.run_uuid ASC")
        #expect(binds == [.text("acc")])
        let (two, twoBinds) = try runs(nil, ["metrics.acc DESC", "metrics.loss"])
        #expect(two.joinSQL.contains("LEFT JOIN latest_metrics o1 ON o1.run_uuid = r.run_uuid AND o1.key = $2"))
        #expect(two.orderBySQL.hasPrefix("COALESCE(o0.is_nan, 2) ASC, o0.value DESC, COALESCE(o1.is_nan, 2) ASC, o1.value ASC"))
        #expect(twoBinds == [.text("acc"), .text("loss")])
    }

    @Test func orderByParamPutsMissingLastInBothDirections() throws {
        for (text, direction) in [("params.lr", "ASC"), ("params.lr DESC", "DESC")] {
            let (search, _) = try runs(nil, [text])
            let value = "(SELECT p.value FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = $1)"
            #expect(search.orderBySQL == "CASE WHEN \(value) IS NULL THEN 1 ELSE 0 END ASC, \(value) \(direction), r.start_time DESC, r.run_uuid ASC")
        }
    }

    @Test func orderByStartTimeOrRunIDReplacesThatTieBreaker() throws {
        #expect(try runs(nil, ["attributes.start_time ASC"]).search.orderBySQL == "r.start_time ASC, r.run_uuid ASC")
        #expect(try runs(nil, ["run_id DESC"]).search.orderBySQL == "r.run_uuid DESC, r.start_time DESC")
        #expect(
            try runs(nil, ["end_time"]).search.orderBySQL
                == "CASE WHEN r.end_time IS NULL THEN 1 ELSE 0 END ASC, r.end_time ASC, r.start_time DESC, r.run_uuid ASC")
    }

    @Test func filterAndOrderByBindsShareOneNumbering() throws {
        let (search, binds) = try runs("metrics.a > 1", ["tags.t"])
        #expect(search.orderBySQL.contains("t.key = $1"))
        #expect(search.whereSQL.contains("lm.key = $2 AND lm.is_nan = 0 AND lm.value > $3"))
        #expect(binds == [.text("t"), .text("a"), .double(1)])
    }

    @Test(arguments: [SQLDialect.postgres, .sqlite])
    func aNumericFilterOnTheOrderedMetricTestsTheJoinedValue(dialect: SQLDialect) throws {
        let (search, binds) = try runs(
            "metrics.acc > 0.5 and metrics.acc <= 0.9 and metrics.loss < 2 and params.optimizer = 'adam'", ["metrics.acc DESC"], dialect: dialect)
        #expect(search.joinSQL == "JOIN latest_metrics o0 ON o0.run_uuid = r.run_uuid AND o0.key = $1 AND o0.is_nan = 0")
        #expect(
            search.whereSQL == "(o0.value > $2 AND o0.value <= $3 AND "
                + "EXISTS (SELECT 1 FROM latest_metrics lm WHERE lm.run_uuid = r.run_uuid AND lm.key = $4 AND lm.is_nan = 0 AND lm.value < $5) AND "
                + "EXISTS (SELECT 1 FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = $6 AND p.value = $7"
                + (dialect == .postgres ? " AND octet_length(p.value) <= 1000" : "") + "))")
        #expect(search.orderBySQL == "o0.value DESC, r.start_time DESC, r.run_uuid ASC")
        #expect(binds == [.text("acc"), .double(0.5), .double(0.9), .text("loss"), .double(2), .text("optimizer"), .text("adam")])
    }

    /// On PostgreSQL a param equality whose value fits `params_key_value` (values up to 1,000
    /// bytes, migration 0017) says so, which lets the planner use that partial index; a longer
    /// value, another comparator or SQLite (no such index) leave the condition as it is.
    @Test func aShortParamEqualityOnPostgresSaysItFitsTheValueIndex() throws {
        let fits = " AND octet_length(p.value) <= 1000"
        #expect(try runs("params.optimizer = 'adam'").search.whereSQL.hasSuffix("p.value = $2\(fits))"))
        #expect(try runs("params.optimizer = '\(String(repeating: "é", count: 500))'").search.whereSQL.hasSuffix("\(fits))"))
        #expect(try !runs("params.optimizer = '\(String(repeating: "é", count: 501))'").search.whereSQL.contains(fits))
        #expect(try !runs("params.optimizer LIKE 'ad%'").search.whereSQL.contains(fits))
        #expect(try !runs("tags.optimizer = 'adam'").search.whereSQL.contains(fits))
        #expect(try !runs("params.optimizer = 'adam'", dialect: .sqlite).search.whereSQL.contains(fits))
    }

    @Test(arguments: ["metrics.acc > '1'", "x = 1 OR y = 2", "params.lr = 1"])
    func invalidRunFiltersThrowInvalidParameter(filter: String) {
        let error = #expect(throws: CairnError.self) { try runs(filter) }
        #expect(error?.code == .invalidParameterValue)
    }

    @Test func invalidOrderByThrowsInvalidParameter() {
        #expect(throws: CairnError.invalidParameter("")) { try runs(nil, ["metrics.a sideways"]) }
    }

    @Test func experimentIDsBindAsIntegers() throws {
        let (search, binds) = try experiments("experiment_id = '5' AND experiment_id IN ('1', '2')")
        #expect(search.whereSQL == "(e.experiment_id = $1 AND e.experiment_id IN ($2, $3))")
        #expect(binds == [.int(5), .int(1), .int(2)])
    }

    @Test func nonNumericExperimentIDIsRejected() {
        let error = #expect(throws: CairnError.self) { try experiments("experiment_id = 'abc'") }
        #expect(error?.code == .invalidParameterValue)
    }

    @Test func experimentTagsNotEqualRequiresTheTag() throws {
        let (search, binds) = try experiments("tags.team != 'ml'")
        #expect(
            search.whereSQL == "EXISTS (SELECT 1 FROM experiment_tags et WHERE et.experiment_id = e.experiment_id AND et.key = $1 AND et.value != $2)"
        )
        #expect(binds == [.text("team"), .text("ml")])
    }

    @Test func experimentOrderDefaultsToNewestFirstWithIDTieBreaker() throws {
        #expect(try experiments(nil).search.orderBySQL == "e.creation_time DESC, e.experiment_id ASC")
        #expect(try experiments(nil, ["name DESC"]).search.orderBySQL == "e.name DESC, e.experiment_id ASC")
        #expect(try experiments(nil, ["experiment_id DESC"]).search.orderBySQL == "e.experiment_id DESC")
    }

    @Test func registeredModelTagNotEqualAlsoMatchesModelsWithoutTheTag() throws {
        var builder = SQLBuilder(dialect: .sqlite)
        let search = try RegisteredModelSearchCompiler.compile(
            filter: "name LIKE 'm%' AND tag.`mlflow.prompt.is_prompt` != 'true'", orderBy: [], into: &builder
        )
        #expect(
            search.whereSQL == "(m.name LIKE $1 ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM registered_model_tags mt "
                + "WHERE mt.name = m.name AND mt.key = $2 AND mt.value = $3))"
        )
        #expect(builder.binds == [.text("m%"), .text("mlflow.prompt.is_prompt"), .text("true")])
        #expect(search.orderBySQL == "m.name ASC")
    }

    @Test func registeredModelOrderByMapsTimestampsToColumns() throws {
        var builder = SQLBuilder(dialect: .postgres)
        let search = try RegisteredModelSearchCompiler.compile(filter: nil, orderBy: ["last_updated_timestamp DESC"], into: &builder)
        #expect(search.orderBySQL == "m.last_updated_time DESC, m.name ASC")
    }

    @Test func modelVersionFiltersMapAttributesToColumns() throws {
        var builder = SQLBuilder(dialect: .postgres)
        let search = try ModelVersionSearchCompiler.compile(
            filter: "name IN ('a') AND version_number > 1 AND source_path = 's3://x' AND tags.stage != 'prod'",
            orderBy: ["creation_timestamp DESC"],
            into: &builder
        )
        #expect(search.whereSQL.hasPrefix("(v.name IN ($1) AND v.version > $2 AND v.source = $3 AND NOT EXISTS (SELECT 1 FROM model_version_tags vt"))
        #expect(search.whereSQL.contains("vt.name = v.name AND vt.version = v.version AND vt.key = $4 AND vt.value = $5"))
        #expect(builder.binds == [.text("a"), .int(1), .text("s3://x"), .text("stage"), .text("prod")])
        #expect(search.orderBySQL == "v.creation_time DESC, v.name ASC, v.version DESC")
    }

    /// MLflow's default: the most recently updated first (issue 12, family 8).
    @Test func modelVersionDefaultOrderIsMostRecentlyUpdatedThenNameThenNewestVersion() throws {
        var builder = SQLBuilder(dialect: .sqlite)
        #expect(
            try ModelVersionSearchCompiler.compile(filter: nil, orderBy: [], into: &builder).orderBySQL
                == "v.last_updated_time DESC, v.name ASC, v.version DESC")
    }

    /// A key named twice: MLflow's answer, 500 `INTERNAL_ERROR` with the list as given.
    @Test func modelVersionOrderByNamingAKeyTwiceIsMLflowsTextAs400() {
        var builder = SQLBuilder(dialect: .sqlite)
        let error = #expect(throws: CairnError.self) {
            try ModelVersionSearchCompiler.compile(filter: nil, orderBy: ["version_number", "version_number DESC"], into: &builder)
        }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message == "`order_by` contains duplicate fields: ['version_number', 'version_number DESC']")
    }
}
