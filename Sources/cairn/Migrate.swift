import ArgumentParser
import CairnSettings
import CairnStore
import Logging

/// `cairn migrate`: applies pending schema migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let reader = ConfigurationReader.process()
        let logger = try database.logger("cairn.migrate", reader)
        let url = try database.database(reader)
        let message = try await withMigratedDatabase(url, logger: logger) { db, applied in
            let version = try await Migrator(logger: logger).currentVersion(db)
            return applied.isEmpty ? "\(url): schema is up to date (version \(version))" : "\(url): applied \(applied), now at version \(version)"
        }
        print(message)
    }
}
