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
            // Another replica migrating holds the advisory lock for longer than the timeout: this
            // one waits for it instead of failing to start.
            let postgres = try #require(database as? PostgresDatabase)
            let lockKey: Int64 = 0x63_61_69_72_6e
            async let otherReplica: Void = postgres.withSession { session in
                try await session.execute("SET statement_timeout = 0")
                try await session.execute("SELECT pg_advisory_lock($1)", [.int(lockKey)])
                try await session.execute("SELECT pg_sleep(1)")
                try await session.execute("SELECT pg_advisory_unlock($1)", [.int(lockKey)])
                try await session.execute("RESET statement_timeout")
            }
            try await Task.sleep(for: .milliseconds(200))
            try await Migrator(logger: TestDatabase.logger).migrate(database)
            try await otherReplica
            let started = ContinuousClock.now
            let error = await #expect(throws: SQLDatabaseError.self) { try await database.execute("SELECT pg_sleep(30)") }
            #expect(error?.kind == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(20))  // well before pg_sleep(30) ends; CI can be slow
            // The connection stays usable afterwards.
            #expect(try await database.query("SELECT 1", []).first?.int(0) == 1)
        }
    }

    /// Cairn's sessions plan without parallel workers (starting them cost a 200,000-run search
    /// 15 ms) unless the URL says `parallel_query=true`; the start-up packet sets it, so it holds
    /// on every pooled connection.
    @Test(arguments: [false, true])
    func parallelWorkersAreOffUnlessTheURLTurnsThemOn(parallel: Bool) async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withDatabase(.postgres, parallelQuery: parallel) { database in
            let shown = try await database.query("SHOW max_parallel_workers_per_gather", []).first?.string(0)
            let configured = try await database.query(
                "SELECT boot_val FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'", []
            ).first?.string(0)
            #expect(configured != "0")
            #expect(shown == (parallel ? configured : "0"))
        }
    }

    /// The pool runs no keep-alive query (its timers cost every request); PostgreSQL's own TCP
    /// keep-alive, set in the start-up packet, keeps idle pooled connections alive instead, and
    /// two of them stay open while idle.
    @Test func pooledConnectionsUseTheServersTCPKeepAliveAndTwoStayOpen() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withDatabase(.postgres) { database in
            let idle = try await database.query("SHOW tcp_keepalives_idle", []).first?.string(0)
            #expect(idle == "1min" || idle == "60")
            // The pool opens its warm connections in the background; under the parallel suite's load
            // that took up to 7 s.
            let deadline = ContinuousClock.now + .seconds(30)
            var open: Int64 = 0
            repeat {
                open =
                    try await database.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'", []
                    ).first?.int(0) ?? 0
                if open >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            } while ContinuousClock.now < deadline
            #expect(open >= 2)
        }
    }

    @Test func anSQLiteSearchPastItsDeadlineEndsWithATypedError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-deadline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A deadline already passed: the first row the search looks at ends it.
        let database = try await SQLiteDatabase.open(
            path: directory.appendingPathComponent("c.db").path, statementTimeout: .milliseconds(-1), logger: TestDatabase.logger)
        try await Migrator(logger: TestDatabase.logger).migrate(database)
        let store = SQLTrackingStore(database: database)
        try await store.bootstrap()
        _ = try await store.createRun(CreateRunRequest(experimentID: "0", userID: "u"))
        let error = await #expect(throws: SQLDatabaseError.self) {
            _ = try await store.searchRuns(RunSearchRequest(experimentIDs: ["0"], filter: "attributes.status = 'RUNNING'"))
        }
        #expect(error?.kind == .timedOut)
        // Writes and plain reads carry no deadline.
        _ = try await store.createRun(CreateRunRequest(experimentID: "0", userID: "u"))
        #expect(try await store.experiment(id: "0").name == "Default")
        await database.close()

        let relaxed = try await SQLiteDatabase.open(
            path: directory.appendingPathComponent("c.db").path, statementTimeout: .seconds(10), logger: TestDatabase.logger)
        let found = try await SQLTrackingStore(database: relaxed).searchRuns(RunSearchRequest(experimentIDs: ["0"]))
        #expect(found.items.count == 2)
        await relaxed.close()
    }

    /// An acknowledged write survives a power loss, not only a crash: every SQLite connection runs
    /// with `synchronous=FULL` (2), the writer in WAL mode.
    @Test func sqliteWritesAreSynchronousFull() async throws {
        try await TestDatabase.withDatabase(.sqlite) { database in
            let synchronous = try await database.query("PRAGMA synchronous", []).first?.int(0)
            #expect(synchronous == 2)
            let journal = try await database.query("PRAGMA journal_mode", []).first?.string(0)
            #expect(journal == "wal")
        }
    }

    @Test(arguments: Engine.available)
    func namesWithNULOrControlCharactersAreRefusedOnEveryEngine(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            for name in ["a\u{0}b", "tab\there", "bell\u{7}", "c1\u{85}"] {
                let error = await #expect(throws: CairnError.self) {
                    _ = try await store.createExperiment(name: name, artifactLocation: nil, tags: [])
                }
                #expect(error?.code == .invalidParameterValue, "\(name.debugDescription)")
            }
            let id = try await store.createExperiment(name: "plain", artifactLocation: nil, tags: [])
            await #expect(throws: CairnError.self) { try await store.renameExperiment(id: id, newName: "x\u{0}") }
            #expect(try await store.experiment(id: id).name == "plain")
        }
    }
}
