import ArgumentParser
import CairnClient
import CairnCore
import Foundation

/// `cairn runs list | show | compare`.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, show and compare runs.", subcommands: [List.self, Show.self, Compare.self])

    static let columns = [
        Column("RUN ID") { Format.scalar($0[path: "info", "run_id"] ?? .null) },
        Column("NAME") { Format.scalar($0[path: "info", "run_name"] ?? .null) },
        Column("STATUS") { Format.scalar($0[path: "info", "status"] ?? .null) },
        Column("STARTED") { Format.time($0[path: "info", "start_time"]) },
        Column("DURATION") { Format.duration(from: $0[path: "info", "start_time"], to: $0[path: "info", "end_time"]) },
    ]
    static let wideColumns = [
        Column("USER") { Format.scalar($0[path: "info", "user_id"] ?? .null) },
        Column("METRICS") { run in
            Format.pairs(run[path: "data", "metrics"]).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        },
    ]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the runs of an experiment, searched and ordered with MLflow's grammar (newest first by default).")

        @Option(name: .long, help: "The experiment's name or id")
        var experiment: String

        @Option(name: .long, help: "An MLflow search filter, e.g. \"metrics.loss < 0.1 and params.lr = '0.01'\"")
        var filter: String?

        @Option(name: .customLong("order-by"), help: "An order, e.g. \"metrics.loss ASC\" (repeatable)")
        var orderBy: [String] = []

        @OptionGroup var list: ListOptions

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let (filter, orderBy) = (filter, orderBy)
                let search = { @Sendable (id: String, token: String?, wanted: Int?) async throws(ClientError) -> ResultPage in
                    try await client.searchRuns(
                        experimentIDs: [id], filter: filter, orderBy: orderBy, maxResults: ListOptions.pageSize(wanted), pageToken: token)
                }
                // An id, most likely: the first page is read while the experiment is looked up
                // (one round trip less), and used if the lookup confirms the id.
                let guess = experiment.allSatisfy(\.isNumber) ? experiment : nil
                let limit = list.limit
                async let early: Result<ResultPage, ClientError>? = {
                    guard let guess else { return nil }
                    do throws(ClientError) {
                        return .success(try await search(guess, nil, limit))
                    } catch {
                        return .failure(error)
                    }
                }()
                let id = Format.scalar(try await client.experiment(experiment)["experiment_id"] ?? .null)
                let first = id == guess ? await early : nil
                try await ListOutput(format: output.output, columns: RunsCommand.columns, wideColumns: RunsCommand.wideColumns)
                    .print(limit: list.limit) { token, wanted in
                        if token == nil, let first { return try first.get() }
                        return try await search(id, token, wanted)
                    }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run: its info, params, latest metrics and tags.")

        @Argument(help: "The run's id")
        var runID: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let run = try await client.run(id: runID)
                ObjectOutput.print(run, format: output.output) { Self.text(run) }
            }
        }

        static func text(_ run: JSONValue) -> [String] {
            let info = run["info"] ?? .null
            func field(_ name: String) -> String { Format.scalar(info[name] ?? .null) }
            var lines = [
                "\(Terminal.bold("Run")) \(field("run_id")) \(field("run_name"))",
                "  experiment: \(field("experiment_id"))", "  status:     \(field("status"))",
                "  started:    \(Format.time(info["start_time"]))",
                "  duration:   \(Format.duration(from: info["start_time"], to: info["end_time"]))",
                "  user:       \(field("user_id"))", "  artifacts:  \(field("artifact_uri"))",
            ]
            for (title, key) in [("params", "params"), ("metrics (latest)", "metrics"), ("tags", "tags")] {
                let pairs = Format.pairs(run[path: "data", key]).filter { !(key == "tags" && $0.key.hasPrefix("mlflow.")) }
                guard !pairs.isEmpty else { continue }
                lines.append("  \(title):")
                let width = pairs.map(\.key.count).max() ?? 0
                lines += pairs.map { "    \($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }
            }
            return lines
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare", abstract: "Compare runs side by side: params and latest metrics, values that differ marked with *.")

        @Argument(help: "Two or more run ids")
        var runIDs: [String]

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func validate() throws {
            guard runIDs.count >= 2 else { throw ValidationError("Give at least two run ids to compare") }
        }

        func run() async throws {
            try await connection.withClient { client in
                var runs: [JSONValue] = []
                for id in runIDs { runs.append(try await client.run(id: id)) }
                ObjectOutput.print(.array(runs), format: output.output) { Self.table(runs) }
            }
        }

        static func table(_ runs: [JSONValue]) -> [String] {
            var rows: [[String]] = []
            for (section, key) in [("param", "params"), ("metric", "metrics")] {
                let values = runs.map { Dictionary(Format.pairs($0[path: "data", key]).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) }
                for name in Set(values.flatMap(\.keys)).sorted() {
                    let cells = values.map { $0[name] ?? "—" }
                    let differs = Set(cells).count > 1
                    rows.append(["\(differs ? "*" : " ") \(section)", name] + cells)
                }
            }
            let headers =
                ["", "NAME"]
                + runs.map { run in
                    let name = Format.scalar(run[path: "info", "run_name"] ?? .null)
                    return name.isEmpty ? String(Format.scalar(run[path: "info", "run_id"] ?? .null).prefix(8)) : name
                }
            return TableRenderer.render(headers: headers, rows: rows, width: Terminal.width)
        }
    }
}
