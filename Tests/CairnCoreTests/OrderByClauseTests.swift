import CairnCore
import Testing

struct OrderByClauseTests {
    private func message(_ text: String, _ entity: SearchEntity) -> String? {
        do {
            _ = try OrderByClause.parse(text, for: entity)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ("metrics.acc DESC", OrderByClause(key: .metric("acc"), ascending: false)),
        ("metrics.acc", OrderByClause(key: .metric("acc"), ascending: true)),
        ("params.lr asc", OrderByClause(key: .param("lr"))),
        ("tags.x Desc", OrderByClause(key: .tag("x"), ascending: false)),
        ("attributes.start_time ASC", OrderByClause(key: .attribute("start_time"))),
        ("metrics.`my metric` DESC", OrderByClause(key: .metric("my metric"), ascending: false)),
        ("tags.\"a.b\"", OrderByClause(key: .tag("a.b"))),
        ("created DESC", OrderByClause(key: .attribute("start_time"), ascending: false)),
        ("run_name", OrderByClause(key: .attribute("run_name"))),
        ("`Run Name`", OrderByClause(key: .attribute("run_name"))),
        ("end_time DESC", OrderByClause(key: .attribute("end_time"), ascending: false)),
    ])
    func runOrderByAcceptsKeysWithOptionalDirection(text: String, expected: OrderByClause) throws {
        #expect(try OrderByClause.parse(text, for: .runs) == expected)
    }

    @Test(arguments: ["name", "experiment_id DESC", "creation_time", "last_update_time ASC", "attributes.name"])
    func experimentOrderByAcceptsItsAttributes(text: String) throws {
        #expect(try OrderByClause.parse(text, for: .experiments).key.kind == .attribute)
    }

    @Test(arguments: ["name", "creation_timestamp DESC", "last_updated_timestamp"])
    func registeredModelOrderByAcceptsItsAttributes(text: String) throws {
        #expect(try OrderByClause.parse(text, for: .registeredModels).key.kind == .attribute)
    }

    @Test(arguments: ["name", "version_number DESC", "creation_timestamp", "last_updated_timestamp ASC"])
    func modelVersionOrderByAcceptsItsAttributes(text: String) throws {
        #expect(try OrderByClause.parse(text, for: .modelVersions).key.kind == .attribute)
    }

    @Test(arguments: [
        ("metrics.acc DESC extra", SearchEntity.runs, "Unexpected 'extra' at position 17"),
        ("metrics.acc SIDEWAYS", .runs, "Unexpected 'SIDEWAYS' at position 12"),
        ("", .runs, "Invalid order_by clause ''"),
        ("datasets.name", .runs, "Invalid entity type 'dataset'"),
        ("foo", .runs, "Invalid order_by attribute key 'foo'"),
        ("tags.x", .experiments, "Invalid entity type 'tag' at position 0 in experiment order_by"),
        ("status", .experiments, "Invalid order_by attribute key 'status'"),
        ("version_number", .registeredModels, "Invalid order_by attribute key 'version_number'"),
        ("run_id", .modelVersions, "Invalid order_by attribute key 'run_id'"),
        ("source_path", .modelVersions, "Invalid order_by attribute key 'source_path'"),
        ("metrics.a > 1", .runs, "Unexpected '>' at position 10"),
    ])
    func invalidOrderByIsRejectedWithPosition(text: String, entity: SearchEntity, fragment: String) {
        let text = message(text, entity)
        #expect(text?.contains(fragment) == true, "\(text ?? "nil")")
    }

    @Test func parseListSkipsBlankEntries() throws {
        let parsed = try OrderByClause.parseList(["", "  ", "metrics.a DESC"], for: .runs)
        #expect(parsed == [OrderByClause(key: .metric("a"), ascending: false)])
    }
}
