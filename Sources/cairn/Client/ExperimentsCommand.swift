import ArgumentParser
import CairnClient
import CairnCore

/// `cairn experiments list | show | create | delete`.
struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments", abstract: "List, show, create and delete experiments.",
        subcommands: [List.self, Show.self, Create.self, Delete.self])

    static let columns = [
        Column("ID", field: "experiment_id"), Column("NAME", field: "name"),
        Column("CREATED") { Format.time($0["creation_time"]) }, Column("UPDATED") { Format.time($0["last_update_time"]) },
    ]
    static let wideColumns = [Column("STAGE", field: "lifecycle_stage"), Column("ARTIFACTS", field: "artifact_location")]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List experiments, most recently created first.")

        @Option(name: .long, help: "An MLflow search filter, e.g. \"name LIKE 'fraud%'\"")
        var filter: String?

        @Flag(name: .long, help: "Include deleted experiments")
        var deleted = false

        @OptionGroup var list: ListOptions

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                try await ListOutput(format: output.output, columns: ExperimentsCommand.columns, wideColumns: ExperimentsCommand.wideColumns)
                    .print(limit: list.limit) { token, wanted in
                        try await client.searchExperiments(
                            filter: filter, viewType: deleted ? "ALL" : "ACTIVE_ONLY", maxResults: ListOptions.pageSize(wanted), pageToken: token)
                    }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an experiment, by name or id.")

        @Argument(help: "The experiment's name or id")
        var experiment: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let found = try await client.experiment(experiment)
                ObjectOutput.print(found, format: output.output) {
                    var lines = [
                        "\(Terminal.bold("Experiment")) \(Format.scalar(found["name"] ?? .null)) (id \(Format.scalar(found["experiment_id"] ?? .null)))",
                        "  stage:      \(Format.scalar(found["lifecycle_stage"] ?? .null))",
                        "  artifacts:  \(Format.scalar(found["artifact_location"] ?? .null))",
                        "  created:    \(Format.time(found["creation_time"]))",
                        "  updated:    \(Format.time(found["last_update_time"]))",
                    ]
                    let tags = Format.pairs(found["tags"])
                    if !tags.isEmpty { lines += ["  tags:"] + tags.map { "    \($0.key) = \($0.value)" } }
                    return lines
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an experiment; prints its id.")

        @Argument(help: "The experiment's name")
        var name: String

        @Option(name: .long, help: "Where its runs' artifacts go (default: the server's artifact store)")
        var artifactLocation: String?

        @OptionGroup var connection: ClientOptions

        func run() async throws {
            let id = try await connection.withClient { try await $0.createExperiment(name: name, artifactLocation: artifactLocation) }
            Terminal.output(id)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete an experiment (its runs stay restorable until `cairn gc` removes them).")

        @Argument(help: "The experiment's name or id")
        var experiment: String

        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let id = Format.scalar(try await client.experiment(experiment)["experiment_id"] ?? .null)
                try await client.deleteExperiment(id: id)
                Terminal.message("deleted experiment \(id)")
            }
        }
    }
}
