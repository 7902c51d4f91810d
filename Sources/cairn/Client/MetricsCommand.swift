import ArgumentParser
import CairnClient
import CairnCore

/// `cairn metrics history RUN_ID KEY`.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Read a run's metric series.", subcommands: [History.self])

    /// How `metrics history` prints: a summary with a sparkline, or every point.
    enum HistoryFormat: String, ExpressibleByArgument {
        case table, json, csv
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "A metric's history: a sparkline with min, max and last (every point with -o json or csv).")

        @Argument(help: "The run's id")
        var runID: String

        @Argument(help: "The metric's key")
        var key: String

        @Option(name: [.customShort("o"), .long], help: "table (a sparkline), json or csv (every point)")
        var output: HistoryFormat = .table

        @OptionGroup var connection: ClientOptions

        func run() async throws {
            let points = try await connection.withClient { try await $0.metricHistory(runID: runID, key: key) }
            switch output {
            case .json:
                Terminal.output(JSONValue.array(points).jsonText(.pretty))
            case .csv:
                Terminal.output("step,timestamp,value")
                for point in points {
                    Terminal.output(
                        "\(Format.scalar(point["step"] ?? .int(0))),\(Format.scalar(point["timestamp"] ?? .null)),\(Format.scalar(point["value"] ?? .null))"
                    )
                }
            case .table:
                guard !points.isEmpty else {
                    Terminal.message("Run \(runID) has no metric '\(key)'.")
                    return
                }
                let values = points.map(Self.number)
                let finite = values.filter(\.isFinite)
                let width = max(10, min(80, (Terminal.width ?? 80) - 2))
                Terminal.output(Sparkline.render(values, width: width))
                Terminal.output(
                    "\(key): \(points.count) points, steps \(Format.scalar(points.first?["step"] ?? .int(0)))–\(Format.scalar(points.last?["step"] ?? .int(0)))"
                )
                if let low = finite.min(), let high = finite.max() {
                    Terminal.output(
                        "min \(JSONValue.formatDouble(low))   max \(JSONValue.formatDouble(high))   last \(Format.scalar(points.last?["value"] ?? .null))"
                    )
                }
            }
        }

        /// A point's value; MLflow writes NaN and infinities as strings.
        static func number(_ point: JSONValue) -> Double {
            switch point["value"] {
            case .int(let int)?: Double(int)
            case .double(let double)?: double
            case .string(let text)?: Double(text) ?? .nan
            default: .nan
            }
        }
    }
}

/// A one-line chart of a series with the eight block characters. Each character covers a bucket
/// of consecutive points and shows the bucket's largest value, so a spike is never averaged away.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func render(_ values: [Double], width: Int) -> String {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), width > 0 else { return "" }
        let buckets = min(width, values.count)
        var line = ""
        for bucket in 0..<buckets {
            let slice = values[(bucket * values.count / buckets)..<((bucket + 1) * values.count / buckets)].filter(\.isFinite)
            guard let peak = slice.max() else {
                line.append(" ")
                continue
            }
            let level = high == low ? 0 : Int(((peak - low) / (high - low) * Double(blocks.count - 1)).rounded())
            line.append(blocks[level])
        }
        return line
    }
}
