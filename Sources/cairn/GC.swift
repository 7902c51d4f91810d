import ArgumentParser
import CairnArtifacts
import CairnMaintenance
import CairnSettings
import CairnStore
import Logging

/// `cairn gc`: permanently removes runs deleted more than N days ago, with their artifacts.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Permanently remove runs deleted more than N days ago, with their artifacts and logged models.")

    @Option(name: .long, help: "Only runs deleted at least this many days ago")
    var olderThanDays: Int = 30

    @Flag(name: .long, help: "Print what would be removed; remove nothing")
    var dryRun = false

    @OptionGroup var artifacts: ArtifactOptions

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let reader = ConfigurationReader.process()
        let logger = try database.logger("cairn.gc", reader)
        let artifacts = try await self.artifacts.backend(reader).open(logger: logger)
        let olderThanDays = self.olderThanDays
        let dryRun = self.dryRun
        do {
            try await withMigratedDatabase(try database.database(reader), logger: logger) { db, _ in
                let report = try await GarbageCollector(store: SQLTrackingStore(database: db), artifacts: artifacts, logger: logger)
                    .collect(olderThanDays: olderThanDays, dryRun: dryRun)
                let verb = dryRun ? "would remove" : "removed"
                for run in report.purgedRuns { print("\(verb) run \(run)") }
                for path in report.deletedArtifactPaths { print("\(verb) artifacts \(path)") }
                for (run, reason) in report.kept { print("kept run \(run): \(reason)") }
                for location in report.skippedArtifacts { print("skipped artifacts outside the store: \(location)") }
                print("\(report.purgedRuns.count) run(s) \(verb), \(report.kept.count) kept")
            }
        } catch {
            try? await (artifacts as? S3ArtifactStore)?.shutdown()
            throw error
        }
        try? await (artifacts as? S3ArtifactStore)?.shutdown()
    }
}
