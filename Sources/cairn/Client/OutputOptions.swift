import ArgumentParser

/// How a read command prints what it read.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Columns for people, fitted to the terminal.
    case table
    /// The table with more columns.
    case wide
    /// The API's objects as JSON (a list: one array).
    case json
    /// The same as YAML.
    case yaml
    /// Lists only: one JSON object per line, printed page by page as the pages arrive.
    case ndjson
}

/// The `-o/--output` option of every read command.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "table, wide, json, yaml or ndjson (lists)")
    var output: OutputFormat = .table
}

/// `--max N` and `--all` of every list command.
struct ListOptions: ParsableArguments {
    @Option(name: .long, help: "At most this many")
    var max: Int = 100

    @Flag(name: .long, help: "Everything, page by page")
    var all = false

    func validate() throws {
        guard max >= 1 else { throw ValidationError("--max must be at least 1") }
    }

    /// How many to list: nil for all.
    var limit: Int? { all ? nil : max }

    /// The page size to ask for when `wanted` more are needed (the server's ceiling is 1,000).
    static func pageSize(_ wanted: Int?) -> Int { min(wanted ?? 1000, 1000) }
}
