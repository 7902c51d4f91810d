import CairnCore
import CairnStore
import Foundation
import Logging
import Testing

/// Cairn's tag, not Swift Testing's `Tag`.
typealias Tag = CairnCore.Tag

/// The engines a contract test runs against. PostgreSQL joins when `CAIRN_TEST_POSTGRES_URL`
/// names a server (scripts/test.sh starts a throwaway one); with `CI=true` its absence fails
/// the run (see ``EngineAvailabilityTests``) instead of silently skipping.
enum Engine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        guard let value = ProcessInfo.processInfo.environment["CAIRN_TEST_POSTGRES_URL"], !value.isEmpty else { return nil }
        return value
    }

    /// The engines this run can reach.
    static var available: [Engine] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

/// A fresh, migrated database for one test: a temporary SQLite file, or a new PostgreSQL
/// database on the test server (dropped afterwards).
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .warning
        return logger
    }()

    static func withStore<T: Sendable>(
        _ engine: Engine, configuration: SQLTrackingStore.Configuration = .init(), _ body: @Sendable (SQLTrackingStore) async throws -> T
    ) async throws -> T {
        try await withDatabase(engine) { database in
            try await Migrator(logger: logger).migrate(database)
            let store = SQLTrackingStore(database: database, configuration: configuration)
            try await store.bootstrap()
            return try await body(store)
        }
    }

    /// A fresh database of `engine`; on PostgreSQL a new database of the test cluster, reached
    /// through a pool of `maximumConnections`, with or without prepared ``FixedStatement``s and
    /// parallel query.
    static func withDatabase<T: Sendable>(
        _ engine: Engine, maximumConnections: Int = 8, preparedStatements: Bool = true, parallelQuery: Bool = false,
        statementTimeout: Duration? = nil, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-test-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = try await SQLiteDatabase.open(path: directory.appendingPathComponent("cairn.db").path, logger: logger)
            do {
                let result = try await body(database)
                await database.close()
                return result
            } catch {
                await database.close()
                throw error
            }
        case .postgres:
            let url = try #require(Engine.postgresURL, "CAIRN_TEST_POSTGRES_URL is not set")
            guard case .postgres(let admin) = try DatabaseURL(parsing: url) else {
                Issue.record("CAIRN_TEST_POSTGRES_URL is not a postgres:// URL")
                throw CairnError.invalidParameter("bad test URL")
            }
            let name = "cairn_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await withPostgres(admin) { database in
                try await database.execute("CREATE DATABASE \(name)")
            }
            var settings = admin
            settings.database = String(name)
            settings.preparedStatements = preparedStatements
            settings.parallelQuery = parallelQuery
            do {
                let result = try await withPostgres(settings, maximumConnections: maximumConnections, statementTimeout: statementTimeout, body)
                try await withPostgres(admin) { try await $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
                return result
            } catch {
                try? await withPostgres(admin) { try await $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
                throw error
            }
        }
    }

    private static func withPostgres<T: Sendable>(
        _ settings: DatabaseURL.Postgres, maximumConnections: Int = 8, statementTimeout: Duration? = nil,
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        // The connection wait is not what these tests check (ConnectionWaitTests sets its own): it
        // only has to outlast the suite's start-up, when hundreds of tests open connections on
        // two cores at once (CI once took over 5 s there, failing every PostgreSQL test).
        let database = try PostgresDatabase(
            settings: settings, maximumConnections: maximumConnections, statementTimeout: statementTimeout, connectionWait: .seconds(30),
            logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await database.run()
                return nil
            }
            let result = try await body(database)
            group.cancelAll()
            return result
        }
    }

    /// Inserts `count` finished runs into `experiment` in one statement, past the store (so the
    /// tables are as a bulk load leaves them, never analyzed): run i (1...count) has the id
    /// `md5(idPrefix || i)`, the name `run-i` and the start time i.
    static func insertRuns(_ count: Int, experiment: String, idPrefix: String, into database: any SQLDatabase) async throws {
        try await database.execute(
            """
            INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
            SELECT md5('\(idPrefix)' || i), \(experiment), 'run-' || i, 'u', 'FINISHED', i, i + 1, 'a', 'active' FROM generate_series(1, \(count)) i
            """)
    }
}

@Suite struct EngineAvailabilityTests {
    @Test func postgresIsConfiguredWhenRunningInCI() {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        if ci {
            #expect(Engine.postgresURL != nil, "CI=true but CAIRN_TEST_POSTGRES_URL is unset: the PostgreSQL suite would be skipped")
            #expect(
                TLSTestServer.current != nil,
                "CI=true but CAIRN_TEST_POSTGRES_TLS_* are unset or incomplete: the PostgreSQL TLS tests would be skipped")
        }
    }
}
