import CairnCore
import CairnStore
import Testing

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
}
