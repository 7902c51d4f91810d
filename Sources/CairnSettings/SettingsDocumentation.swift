import Foundation

/// The README's configuration tables, made from ``Settings/all``: one Markdown table per
/// ``Setting/Group``, each between `<!-- settings:GROUP -->` and `<!-- /settings:GROUP -->`.
public enum SettingsDocumentation {
    /// The table of one group.
    public static func table(_ group: Setting.Group) -> String {
        var lines = ["| flag | environment | default | meaning |", "| --- | --- | --- | --- |"]
        for setting in Settings.all where setting.group == group {
            let flag = setting.flag.map { "`--\($0)`" } ?? "—"
            let variables = setting.environment.map { "`\($0)`" }.joined(separator: " or ")
            lines.append("| \(flag) | \(variables) | \(setting.documentedDefault) | \(setting.meaning) |")
        }
        return lines.joined(separator: "\n")
    }

    /// `text` (a README) with every marked table replaced by the current one.
    public static func updating(_ text: String) -> String {
        var text = text
        for group in Setting.Group.allCases {
            guard let range = blockRange(group, in: text) else { continue }
            text.replaceSubrange(range, with: "\n" + table(group) + "\n")
        }
        return text
    }

    /// The groups whose marked table in `text` is missing or differs from the definitions.
    public static func outdatedGroups(in text: String) -> [Setting.Group] {
        Setting.Group.allCases.filter { group in
            guard let range = blockRange(group, in: text) else { return true }
            return text[range].trimmingWhitespace() != table(group)
        }
    }

    /// The text between a group's markers.
    private static func blockRange(_ group: Setting.Group, in text: String) -> Range<String.Index>? {
        guard let start = text.range(of: "<!-- settings:\(group.rawValue) -->"),
            let end = text.range(of: "<!-- /settings:\(group.rawValue) -->", range: start.upperBound..<text.endIndex)
        else { return nil }
        return start.upperBound..<end.lowerBound
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
