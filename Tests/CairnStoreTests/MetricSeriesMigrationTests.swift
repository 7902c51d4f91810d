import CairnCore
import CairnStore
import Testing

/// Migration 0007 moves the history from `metrics (run_uuid, key, …)` to series-keyed
/// `metric_points`; a database written before it must read back the same points after it.
struct MetricSeriesMigrationTests {
    @Test(arguments: Engine.available)
    func historyWrittenBeforeMigration0007ReadsBackTheSameAfterIt(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let migrator = Migrator(logger: TestDatabase.logger)
            let all = try Migrator.bundledMigrations(for: database.dialect)
            try await migrator.migrate(database, migrations: all.filter { $0.version < 7 })
            let store = SQLTrackingStore(database: database)
            try await store.bootstrap()
            let run = try await store.createRun(
                CreateRunRequest(experimentID: Experiment.defaultID, userID: "u", runName: "old", startTime: 1, tags: []))
            let id = run.info.runID
            for (key, step, value, isNaN) in [("loss", 0, 2.5, 0), ("loss", 1, 1.5, 0), ("acc", 0, 0.0, 1)] {
                try await database.execute(
                    "INSERT INTO metrics (run_uuid, key, timestamp, step, value, is_nan) VALUES ($1, $2, $3, $4, $5, $6)",
                    [.text(id), .text(key), .int(Int64(100 + step)), .int(Int64(step)), .double(value), .int(Int64(isNaN))])
            }
            try await migrator.migrate(database)
            let loss = try await store.metricHistory(runID: id, key: "loss", offset: 0, limit: nil).items
            #expect(loss.map(\.step) == [0, 1])
            #expect(loss.map(\.value) == [2.5, 1.5])
            let acc = try await store.metricHistory(runID: id, key: "acc", offset: 0, limit: nil).items
            #expect(acc.count == 1 && acc[0].value.isNaN)
            // New points join the migrated series, and exact duplicates are still dropped.
            try await store.logBatch(runID: id, metrics: [loss[1], Metric(key: "loss", value: 0.5, timestamp: 102, step: 2)], params: [], tags: [])
            #expect(try await store.metricHistory(runID: id, key: "loss", offset: 0, limit: nil).items.map(\.step) == [0, 1, 2])
        }
    }
}
