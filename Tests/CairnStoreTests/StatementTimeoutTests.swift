import CairnCore
import CairnStore
import Foundation
import Testing

/// Bounded work in the database: PostgreSQL cancels a statement past `statement_timeout` (set on
/// every pooled connection), migrations lift it for themselves, and names the engines would
/// store differently (SQLite cuts text at NUL) are refused on both.
@Suite struct StatementTimeoutTests {
    @Test func aRunawayPostgresStatementEndsAtTheTimeoutWithATypedError() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withDatabase(.postgres, statementTimeout: .milliseconds(300)) { database in
            // Migrations run their statements without the limit and still succeed under it.
            try await Migrator(logger: TestDatabase.logger).migrate(database)
            let started = ContinuousClock.now
            let error = await #expect(throws: SQLDatabaseError.self) { try await database.execute("SELECT pg_sleep(30)") }
            #expect(error?.kind == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(5))
            // The connection stays usable afterwards.
            #expect(try await database.query("SELECT 1", []).first?.int(0) == 1)
        }
    }

    @Test(arguments: Engine.available)
    func namesWithNULOrControlCharactersAreRefusedOnEveryEngine(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            for name in ["a\u{0}b", "tab\there", "bell\u{7}", "c1\u{85}"] {
                let error = await #expect(throws: CairnError.self) { _ = try await store.createExperiment(name: name, artifactLocation: nil, tags: []) }
                #expect(error?.code == .invalidParameterValue, "\(name.debugDescription)")
            }
            let id = try await store.createExperiment(name: "plain", artifactLocation: nil, tags: [])
            await #expect(throws: CairnError.self) { try await store.renameExperiment(id: id, newName: "x\u{0}") }
            #expect(try await store.experiment(id: id).name == "plain")
        }
    }
}
