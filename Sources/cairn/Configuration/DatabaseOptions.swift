import ArgumentParser
import CairnSettings
import CairnStore
import Logging

/// Options shared by every command that opens the database: where it is, and how much to log.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong(Settings.databaseURL.flag!), help: ArgumentHelp(Settings.databaseURL.help))
    var databaseURL: String?

    @Option(name: .customLong(Settings.logLevel.flag!), help: ArgumentHelp(Settings.logLevel.help))
    var logLevel: String?

    @Option(name: .customLong(Settings.logFormat.flag!), help: ArgumentHelp(Settings.logFormat.help))
    var logFormat: String?

    /// The database to open.
    func database(_ reader: ConfigurationReader) throws -> DatabaseURL {
        try reader.required(Settings.databaseURL, flag: databaseURL, expected: "a database URL") { try DatabaseURL(parsing: $0) }
    }

    /// Whether logs are JSON lines (`--log-format json`) rather than text.
    func logsJSON(_ reader: ConfigurationReader) throws -> Bool {
        try reader.required(Settings.logFormat, flag: logFormat, expected: "text or json") { text -> Bool? in
            switch text.lowercased() {
            case "text": false
            case "json": true
            default: nil
            }
        }
    }

    /// A logger at the configured level, writing text or JSON lines to stderr.
    func logger(_ label: String, _ reader: ConfigurationReader) throws -> Logger {
        let format: StandardErrorLogHandler.Format = try logsJSON(reader) ? .json : .text
        var logger = Logger(label: label) { StandardErrorLogHandler(label: $0, format: format) }
        logger.logLevel = try reader.required(Settings.logLevel, flag: logLevel, expected: "trace, debug, info, notice, warning or error") {
            Logger.Level(rawValue: $0.lowercased())
        }
        return logger
    }
}
