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

    /// Every statement of a migration on PostgreSQL runs without the pool's statement timeout,
    /// reading the version table included: here another session holds that table locked for
    /// longer than the timeout, and the migration waits for it instead of failing.
    @Test func aPostgresMigrationWaitsForALockedVersionTablePastTheStatementTimeout() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withDatabase(.postgres, statementTimeout: .milliseconds(300)) { database in
            let postgres = try #require(database as? PostgresDatabase)
            let migrator = Migrator(logger: TestDatabase.logger)
            let bundled = try Migrator.bundledMigrations(for: .postgres)
            try await migrator.migrate(database, migrations: bundled)
            let later = Migrator.Migration(version: bundled.last!.version + 1, name: "later.sql", sql: "CREATE TABLE later_table (a INT);")
            let (locked, lockedSignal) = AsyncStream<Void>.makeStream()
            async let otherSession: Void = postgres.withSession { session in
                try await session.execute("SET statement_timeout = 0")
                try await session.execute("BEGIN")
                try await session.execute("LOCK TABLE cairn_schema_migrations IN ACCESS EXCLUSIVE MODE")
                lockedSignal.yield()
                try await session.execute("SELECT pg_sleep(1)")
                try await session.execute("COMMIT")
                try await session.execute("RESET statement_timeout")
            }
            for await _ in locked { break }
            let applied = try await migrator.migrate(database, migrations: bundled + [later])
            try await otherSession
            #expect(applied == [later.version])
            #expect(try await migrator.currentVersion(database) == later.version)
            #expect(try await database.query("SELECT count(*) FROM later_table", []).first?.int(0) == 0)
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
