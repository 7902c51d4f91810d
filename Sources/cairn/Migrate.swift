import ArgumentParser
import CairnStore
import Logging

/// `cairn migrate`: applies pending schema migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = try database.logger("cairn.migrate")
        let url = try database.resolvedDatabase()
        let db = try await openDatabase(url, maximumConnections: 2, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let postgres = db as? PostgresDatabase {
                group.addTask { try await postgres.run() }
            }
            let migrator = Migrator(logger: logger)
            let applied = try await migrator.migrate(db)
            let version = try await migrator.currentVersion(db)
            print(applied.isEmpty ? "\(url): schema is up to date (version \(version))" : "\(url): applied \(applied), now at version \(version)")
            group.cancelAll()
        }
        await db.close()
    }
}
