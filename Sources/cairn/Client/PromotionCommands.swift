import ArgumentParser
import CairnClient
import CairnCore
import CairnDeploy
import Foundation

/// `cairn promote NAME (--version N | --alias A) --target T [--dry-run] [--wait [--timeout D]]`.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Deploy a model version to a promotion target (KServe or a Deployment).")

    @Argument(help: "The model's name")
    var name: String

    @Option(name: .long, help: "The version to promote")
    var version: Int64?

    @Option(name: .long, help: "Promote the version this alias points at")
    var alias: String?

    @Option(name: .long, help: "The target, as `cairn targets list` shows them")
    var target: String

    @Flag(name: .long, help: "Render and check with the cluster's dry run; apply and record nothing")
    var dryRun = false

    @OptionGroup var wait: WaitOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: ClientOptions

    func validate() throws {
        guard (version == nil) != (alias == nil) else { throw ValidationError("Give exactly one of --version and --alias") }
    }

    func run() async throws {
        try await connection.withClient { client in
            let answer = try await client.promote(model: name, version: version, alias: alias, target: target, dryRun: dryRun)
            if dryRun {
                ObjectOutput.print(answer, format: output.output) { Self.dryRunText(answer) }
                return
            }
            let id = Format.scalar(answer["deployment_id"] ?? .null)
            Terminal.message("promotion \(id) started: \(name) → \(target)")
            try await wait.follow(id, client: client, format: output.output)
        }
    }

    static func dryRunText(_ report: JSONValue) -> [String] {
        var lines = [
            "\(Terminal.bold("Dry run")): \(Format.scalar(report["model"] ?? .null)) version \(Format.scalar(report["version"] ?? .null)) → \(Format.scalar(report["target"] ?? .null))",
            "storage URI: \(Format.scalar(report["storage_uri"] ?? .null))",
        ]
        for warning in report["warnings"]?.arrayValue ?? [] { lines.append("warning: \(Format.scalar(warning))") }
        let manifests = report["manifests"]?.arrayValue ?? []
        let results = report["server_results"]?.arrayValue ?? []
        lines.append("The cluster accepted \(results.count) of \(manifests.count) objects in its dry run:")
        lines.append(ManifestEncoder.yamlStream(manifests))
        return lines
    }
}

/// `cairn rollback --target T [--wait]`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Re-deploy what served on a target before its current deployment.")

    @Option(name: .long, help: "The target")
    var target: String

    @OptionGroup var wait: WaitOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: ClientOptions

    func run() async throws {
        try await connection.withClient { client in
            let answer = try await client.rollback(target: target)
            let id = Format.scalar(answer["deployment_id"] ?? .null)
            Terminal.message("rollback \(id) started on \(target)")
            try await wait.follow(id, client: client, format: output.output)
        }
    }
}

/// `--wait` and `--timeout`: follow a deployment until it ends.
struct WaitOptions: ParsableArguments {
    @Flag(name: .long, help: "Follow the deployment, printing each status change, until it is ready, failed or rolled back")
    var wait = false

    @Option(name: .long, help: "With --wait: give up after this long, then exit 6")
    var timeout: String = "10m"

    @Option(name: .long, help: "With --wait: how often to poll")
    var pollInterval: String = "1s"

    func validate() throws {
        guard TargetDuration.parse(timeout) != nil else { throw ValidationError("Invalid --timeout '\(timeout)': expected e.g. 90s or 10m") }
        guard TargetDuration.parse(pollInterval) != nil else {
            throw ValidationError("Invalid --poll-interval '\(pollInterval)': expected e.g. 1s")
        }
    }

    /// Without `--wait`, prints the deployment id; with it, follows the deployment to its end:
    /// exit 0 when ready, 1 when failed or rolled back, 6 at the timeout.
    func follow(_ id: String, client: CairnClient, format: OutputFormat) async throws {
        guard wait else {
            Terminal.output(id)
            return
        }
        let deadline = ContinuousClock.now + (TargetDuration.parse(timeout) ?? .seconds(600))
        let interval = TargetDuration.parse(pollInterval) ?? .seconds(1)
        var last = ""
        while true {
            let deployment = try await client.deployment(id: id)
            let status = Format.scalar(deployment["status"] ?? .null)
            let message = Format.scalar(deployment["message"] ?? .null)
            if "\(status) \(message)" != last {
                Terminal.message("\(status)\(message.isEmpty ? "" : ": \(message)")")
                last = "\(status) \(message)"
            }
            switch status {
            case "ready":
                ObjectOutput.print(deployment, format: format) { [id] }
                return
            case "failed", "rolled_back":
                throw ClientError(.failed, "Deployment \(id) ended \(status): \(message)")
            default:
                guard ContinuousClock.now + interval < deadline else {
                    throw ClientError(
                        .timedOut, "Deployment \(id) is still \(status) after \(timeout); it goes on on the server (`cairn deployments show \(id)`)")
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// `cairn deployments list | show`.
struct DeploymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments", abstract: "The promotion ledger: every deployment, newest first.", subcommands: [List.self, Show.self])

    static let columns = [
        Column("ID", field: "id"), Column("MODEL", field: "model"), Column("VERSION", field: "version"), Column("TARGET", field: "target"),
        Column("STATUS", field: "status"), Column("CREATED") { Format.time($0["created_at"]) }, Column("BY", field: "actor"),
    ]
    static let wideColumns = [Column("PREVIOUS", field: "previous_deployment_id"), Column("MESSAGE", field: "message")]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List deployments, newest first.")

        @Option(name: .long, help: "Only this target")
        var target: String?

        @Option(name: .long, help: "Only this model")
        var model: String?

        @Option(name: .long, help: "At most this many (1-1000)")
        var max: Int = 100

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let items = try await client.deployments(target: target, model: model, limit: max)
                try await ListOutput(format: output.output, columns: DeploymentsCommand.columns, wideColumns: DeploymentsCommand.wideColumns)
                    .print(limit: nil) { _, _ in ResultPage(items: items, nextPageToken: nil) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one deployment.")

        @Argument var id: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let deployment = try await client.deployment(id: id)
                ObjectOutput.print(deployment, format: output.output) {
                    ["id", "model", "version", "target", "status", "message", "actor", "previous_deployment_id"].map { key in
                        "\((key + ":").padding(toLength: 24, withPad: " ", startingAt: 0))\(Format.scalar(deployment[key] ?? .null))"
                    } + [
                        "created:                \(Format.time(deployment["created_at"]))",
                        "updated:                \(Format.time(deployment["updated_at"]))",
                    ]
                }
            }
        }
    }
}

/// `cairn targets list`.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "targets", abstract: "The promotion targets.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the promotion targets the server declares.")

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let items = try await client.targets()
                try await ListOutput(
                    format: output.output,
                    columns: [
                        Column("NAME", field: "name"), Column("KIND", field: "kind"), Column("NAMESPACE", field: "namespace"),
                        Column("ALIAS ON READY", field: "alias_on_ready"),
                    ],
                    wideColumns: [Column("WEBHOOK") { ($0["webhook_secret_configured"]?.boolValue ?? false) ? "on" : "off" }]
                ).print(limit: nil) { _, _ in ResultPage(items: items, nextPageToken: nil) }
            }
        }
    }
}
