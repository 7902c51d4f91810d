import CairnCore
import Testing

@testable import CairnStore

struct MigratorTests {
    @Test(arguments: Engine.available)
    func aSchemaNewerThanTheBinaryKnowsRefusesToStartAndChangesNothing(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let migrator = Migrator(logger: TestDatabase.logger)
            try await migrator.migrate(database)
            let known = try await migrator.currentVersion(database)
            try await database.execute(
                "INSERT INTO cairn_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                [
                    .int(Int64(known + 1)), .text("9999_from_the_future.sql"), .int(1),
                ])
            let error = await #expect(throws: SQLDatabaseError.self) { try await migrator.migrate(database) }
            #expect(String(describing: error).contains("newer than this Cairn knows (\(known))"))
            #expect(try await migrator.currentVersion(database) == known + 1)
        }
    }

    /// A function body's `;` (between `$$`) stays in its statement; comments go.
    @Test func aMigrationSplitsAtSemicolonsOutsideFunctionBodies() {
        let sql = """
            CREATE TABLE t (a INT); -- a comment; not a statement
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO t VALUES (1);
                RETURN NEW;
            END
            $$;
            CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
            """
        let statements = Migrator.statements(in: sql)
        #expect(statements.count == 3)
        #expect(statements[0] == "CREATE TABLE t (a INT)")
        #expect(statements[1].hasPrefix("CREATE FUNCTION f()") && statements[1].hasSuffix("$$") && statements[1].contains("RETURN NEW;"))
        #expect(statements[2].hasPrefix("CREATE TRIGGER g"))
    }
}
