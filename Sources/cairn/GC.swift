import ArgumentParser
import CairnArtifacts
import CairnMaintenance
import CairnStore
import Logging

/// `cairn gc`: permanently removes runs deleted more than N days ago, with their artifacts.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Permanently remove runs deleted more than N days ago, with their artifacts and logged models.")

    @Option(name: .long, help: "Only runs deleted at least this many days ago (default 30)")
    var olderThanDays: Int = 30

    @Flag(name: .long, help: "Print what would be removed; remove nothing")
    var dryRun = false

    @Option(name: .long, help: "Artifact store: a directory or s3://bucket/prefix (env CAIRN_ARTIFACTS_URI; default ./cairn-data/artifacts)")
    var artifactsURI: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = try database.logger("cairn.gc")
        let db = try await openDatabase(try database.resolvedDatabase(), maximumConnections: 2, logger: logger)
        let root = artifactsURI ?? Environment.value("CAIRN_ARTIFACTS_URI") ?? "./cairn-data/artifacts"
        let artifacts: any ArtifactStore
        var s3Store: S3ArtifactStore?
        if root.hasPrefix("s3://") {
            let store = S3ArtifactStore(configuration: try S3Settings.fromEnvironment(uri: root), logger: logger)
            s3Store = store
            artifacts = store
        } else {
            artifacts = try await LocalArtifactStore(root: root.hasPrefix("file://") ? String(root.dropFirst("file://".count)) : root)
        }
        let olderThanDays = self.olderThanDays
        let dryRun = self.dryRun
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let postgres = db as? PostgresDatabase {
                group.addTask { try await postgres.run() }
            }
            defer { group.cancelAll() }
            try await Migrator(logger: logger).migrate(db)
            let report = try await GarbageCollector(store: SQLTrackingStore(database: db), artifacts: artifacts, logger: logger)
                .collect(olderThanDays: olderThanDays, dryRun: dryRun)
            let verb = dryRun ? "would remove" : "removed"
            for run in report.purgedRuns { print("\(verb) run \(run)") }
            for path in report.deletedArtifactPaths { print("\(verb) artifacts \(path)") }
            for (run, reason) in report.kept { print("kept run \(run): \(reason)") }
            for location in report.skippedArtifacts { print("skipped artifacts outside the store: \(location)") }
            print("\(report.purgedRuns.count) run(s) \(verb), \(report.kept.count) kept")
        }
        await db.close()
        try? await s3Store?.shutdown()
    }
}
