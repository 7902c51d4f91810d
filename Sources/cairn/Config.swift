import ArgumentParser
import CairnSettings
import Foundation

/// `cairn config`: every setting with its flag, environment variable and default, and the value
/// this environment gives it; or the README's configuration tables.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every setting, its environment variable and default, and the value this environment gives it.",
        discussion: "Flags given to a command win over what is shown here. Secrets are shown only as set or unset.")

    @Flag(name: .long, help: "Print the README's configuration tables (Markdown)")
    var markdown = false

    @Option(name: .long, help: "Check that the configuration tables in this README match the settings; exit 1 when not")
    var checkReadme: String?

    @Option(name: .long, help: "Rewrite the configuration tables in this README from the settings")
    var updateReadme: String?

    func run() throws {
        if markdown {
            print(Setting.Group.allCases.map { SettingsDocumentation.table($0) }.joined(separator: "\n\n"))
        } else if let path = checkReadme {
            let outdated = SettingsDocumentation.outdatedGroups(in: try String(contentsOfFile: path, encoding: .utf8))
            guard outdated.isEmpty else {
                throw CommandError(
                    "\(path): the configuration tables \(outdated.map(\.rawValue)) do not match the settings in Sources/CairnSettings/Settings.swift; run `cairn config --update-readme \(path)`"
                )
            }
            print("\(path): the configuration tables match the settings")
        } else if let path = updateReadme {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try SettingsDocumentation.updating(text).write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            printEffectiveSettings(ConfigurationReader.process())
        }
    }

    private func printEffectiveSettings(_ reader: ConfigurationReader) {
        let rows = Settings.all.map { setting -> [String] in
            let name = setting.flag.map { "--\($0)" } ?? setting.environment[0]
            guard let (text, source) = reader.resolve(setting) else { return [name, "(unset)", ""] }
            return [name, setting.shown(text), source.description]
        }
        let widths = (0..<2).map { column in rows.map { $0[column].count }.max() ?? 0 }
        print(
            "SETTING".padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + "VALUE".padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  FROM")
        for row in rows {
            print(
                row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                    + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + row[2])
        }
    }
}
