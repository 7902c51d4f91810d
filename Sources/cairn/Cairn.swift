import ArgumentParser
import CairnCore
import CairnServer
import CairnStore
import Foundation
import Logging

/// The `cairn` command: the server and its maintenance commands.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Experiment tracking and model registry, wire-compatible with MLflow.",
        version: CairnVersion.current,
        subcommands: [Serve.self, Migrate.self, Tokens.self, GC.self]
    )
}

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long, help: "sqlite:PATH or postgres://[user[:pass]@]host[:port]/db (env CAIRN_DATABASE_URL; default sqlite:./cairn-data/cairn.db)")
    var databaseURL: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error (env CAIRN_LOG_LEVEL; default info)")
    var logLevel: String?

    func resolvedDatabase() throws -> DatabaseURL {
        guard let text = databaseURL ?? Environment.value("CAIRN_DATABASE_URL") else { return .defaultValue }
        do {
            return try DatabaseURL(parsing: text)
        } catch {
            throw ValidationError("Invalid --database-url \(error.description)")
        }
    }

    func logger(_ label: String) throws -> Logger {
        var logger = Logger(label: label)
        let text = logLevel ?? Environment.value("CAIRN_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("Invalid --log-level '\(text)': expected trace, debug, info, notice, warning or error")
        }
        logger.logLevel = level
        return logger
    }
}

/// Reads `CAIRN_*` settings; only the executable looks at the environment.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
