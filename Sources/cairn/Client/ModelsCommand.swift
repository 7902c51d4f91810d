import ArgumentParser
import CairnClient
import CairnCore

/// `cairn models list | show | register | alias | tag`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "Registered models: list, show, register versions, move aliases, tag.",
        subcommands: [List.self, Show.self, Register.self, AliasCommand.self, TagCommand.self])

    static func latestVersion(_ model: JSONValue) -> String {
        (model["latest_versions"]?.arrayValue ?? []).compactMap { Format.millis($0["version"]) }.max().map(String.init) ?? ""
    }

    static func aliases(_ model: JSONValue) -> String {
        (model["aliases"]?.arrayValue ?? []).map { "\(Format.scalar($0["alias"] ?? .null))→\(Format.scalar($0["version"] ?? .null))" }
            .joined(separator: " ")
    }

    static let columns = [
        Column("NAME", field: "name"), Column("LATEST") { ModelsCommand.latestVersion($0) }, Column("ALIASES") { ModelsCommand.aliases($0) },
        Column("UPDATED") { Format.time($0["last_updated_timestamp"]) },
    ]
    static let wideColumns = [Column("DESCRIPTION", field: "description")]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models.")

        @Option(name: .long, help: "An MLflow search filter, e.g. \"name LIKE 'fraud%'\"")
        var filter: String?

        @OptionGroup var list: ListOptions

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                try await ListOutput(format: output.output, columns: ModelsCommand.columns, wideColumns: ModelsCommand.wideColumns)
                    .print(limit: list.limit) { token, wanted in
                        try await client.searchModels(filter: filter, maxResults: ListOptions.pageSize(wanted), pageToken: token)
                    }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a model: its newest versions, aliases, tags, and what each promotion target serves.")

        @Argument(help: "The model's name")
        var name: String

        @Option(name: .long, help: "How many of the newest versions to list")
        var versions: Int = 20

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                var model = try await client.model(name: name)
                let page = try await client.versions(model: name, maxResults: max(1, min(versions, 1000)), pageToken: nil)
                let deployments = try await Self.currentDeployments(client, model: name)
                model["versions"] = .array(page.items)
                model["deployments"] = .array(deployments)
                ObjectOutput.print(model, format: output.output) { Self.text(model, versions: page, deployments: deployments) }
            }
        }

        /// Per target, the newest deployment of the model (what serves, or is being rolled out).
        /// A server without promotion targets has none.
        static func currentDeployments(_ client: CairnClient, model: String) async throws -> [JSONValue] {
            let all: [JSONValue]
            do throws(ClientError) {
                all = try await client.deployments(target: nil, model: model, limit: 1000)
            } catch {
                // A server without promotion targets has no ledger to list.
                guard error.kind == .notFound else { throw error }
                return []
            }
            var seen = Set<String>()
            return all.filter { seen.insert(Format.scalar($0["target"] ?? .null)).inserted }
        }

        static func text(_ model: JSONValue, versions: ResultPage, deployments: [JSONValue]) -> [String] {
            var lines = ["\(Terminal.bold("Model")) \(Format.scalar(model["name"] ?? .null))"]
            if let description = model["description"]?.stringValue, !description.isEmpty { lines.append("  \(description)") }
            lines.append("  updated: \(Format.time(model["last_updated_timestamp"]))")
            let aliases = ModelsCommand.aliases(model)
            if !aliases.isEmpty { lines.append("  aliases: \(aliases)") }
            let tags = Format.pairs(model["tags"])
            if !tags.isEmpty { lines.append("  tags:    " + tags.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            lines.append("")
            lines += TableRenderer.render(
                headers: ["VERSION", "CREATED", "STAGE", "RUN", "SOURCE"],
                rows: versions.items.map { v in
                    [
                        Format.scalar(v["version"] ?? .null), Format.time(v["creation_timestamp"]), Format.scalar(v["current_stage"] ?? .null),
                        Format.scalar(v["run_id"] ?? .null), Format.scalar(v["source"] ?? .null),
                    ]
                }, width: Terminal.width)
            if versions.nextPageToken != nil { lines.append("(older versions not shown: raise --versions)") }
            if !deployments.isEmpty {
                lines.append("")
                lines += TableRenderer.render(
                    headers: ["TARGET", "VERSION", "STATUS", "SINCE", "BY", "MESSAGE"],
                    rows: deployments.map { d in
                        [
                            Format.scalar(d["target"] ?? .null), Format.scalar(d["version"] ?? .null), Format.scalar(d["status"] ?? .null),
                            Format.time(d["updated_at"]), Format.scalar(d["actor"] ?? .null), Format.scalar(d["message"] ?? .null),
                        ]
                    }, width: Terminal.width)
            }
            return lines
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register", abstract: "Register a new version of a model (creating the model if needed); prints the version number.")

        @Argument(help: "The model's name")
        var name: String

        @Option(name: .long, help: "Where the model's files are, e.g. runs:/RUN_ID/model or s3://bucket/path")
        var source: String

        @Option(name: .long, help: "The run that produced it (taken from a runs:/RUN_ID/… source when not given)")
        var runID: String?

        @Option(
            name: .long,
            help: "Makes a re-run safe: the same key returns the version it created before (exit 0) instead of registering another")
        var idempotencyKey: String?

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                do throws(ClientError) {
                    _ = try await client.createModel(name: name)
                } catch {
                    // Registering into an existing model is the usual case.
                    guard error.errorCode == "RESOURCE_ALREADY_EXISTS" else { throw error }
                }
                // As `mlflow.register_model` does: a runs:/ source names its run, which the server
                // wants as `run_id` too (MLflow refuses a runs:/ source without it).
                let run = runID ?? (source.hasPrefix("runs:/") ? source.dropFirst("runs:/".count).split(separator: "/").first.map(String.init) : nil)
                let version = try await client.createVersion(model: name, source: source, runID: run, idempotencyKey: idempotencyKey)
                ObjectOutput.print(version, format: output.output) { [Format.scalar(version["version"] ?? .null)] }
            }
        }
    }
}
