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
