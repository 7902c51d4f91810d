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

    /// The database to open.
    func database(_ reader: ConfigurationReader) throws -> DatabaseURL {
        try reader.required(Settings.databaseURL, flag: databaseURL, expected: "a database URL") { try DatabaseURL(parsing: $0) }
    }

    /// A logger at the configured level.
    func logger(_ label: String, _ reader: ConfigurationReader) throws -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = try reader.required(Settings.logLevel, flag: logLevel, expected: "trace, debug, info, notice, warning or error") {
            Logger.Level(rawValue: $0.lowercased())
        }
        return logger
    }
}
