import ArgumentParser
import CairnCore

/// The `cairn` command: the server and its maintenance commands.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Experiment tracking and model registry, wire-compatible with MLflow.",
        version: CairnVersion.current,
        subcommands: [Serve.self, Migrate.self, Tokens.self, GC.self, Config.self]
    )
}
