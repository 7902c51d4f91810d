import Foundation

/// One setting Cairn reads: its flag, its environment variables, its default and what it means.
///
/// Every command reads its settings through ``ConfigurationReader`` (flag, then environment, then
/// default); the flags' `--help` texts and the README's configuration tables are made from these
/// definitions (`cairn config --markdown`, checked against the README in CI), so the three agree.
public struct Setting: Sendable, Hashable {
    /// Which table of the README the setting belongs to.
    public enum Group: String, Sendable, CaseIterable {
        /// The server's own settings (`cairn serve`, and the database and log settings of every command).
        case server
        /// The S3 artifact store's settings (with an `s3://` artifacts URI).
        case s3
        /// Where client commands find a running server.
        case client
    }

    /// The long flag without dashes (`database-url`), or nil for a setting only the environment sets.
    public let flag: String?
    /// The environment variables that set it, the first set one winning.
    public let environment: [String]
    /// The value used when neither a flag nor the environment gives one (nil: unset).
    public let defaultValue: String?
    /// What "no value" means, for the docs (when ``defaultValue`` is nil).
    public let unsetMeaning: String
    /// What the setting does, in Markdown (code in backticks).
    public let meaning: String
    /// The README table it is listed in.
    public let group: Group
    /// How its value may be shown in messages and by `cairn config`.
    public let visibility: Visibility

    /// How a value may be shown.
    public enum Visibility: Sendable, Hashable {
        /// As it is.
        case plain
        /// Never (secrets, tokens): only whether it is set.
        case secret
        /// A URL whose password is hidden.
        case urlWithPassword
    }

    public init(
        flag: String? = nil, environment: [String], default defaultValue: String? = nil, unset unsetMeaning: String = "unset",
        _ meaning: String, group: Group = .server, visibility: Visibility = .plain
    ) {
        self.flag = flag
        self.environment = environment
        self.defaultValue = defaultValue
        self.unsetMeaning = unsetMeaning
        self.meaning = meaning
        self.group = group
        self.visibility = visibility
    }

    /// How error messages name the setting: its flag, else its first environment variable.
    public var displayName: String { flag.map { "--\($0)" } ?? environment[0] }

    /// The `--help` text: the meaning without Markdown, then the environment and the default.
    public var help: String {
        let plain = meaning.replacingOccurrences(of: "`", with: "")
        let first = plain.prefix(1).uppercased() + plain.dropFirst()
        let variables = environment.joined(separator: " or ")
        return "\(first) (env \(variables); default \((defaultValue ?? unsetMeaning).replacingOccurrences(of: "`", with: "")))"
    }

    /// A value as it may be shown: secrets hidden, a URL's password replaced by `***`.
    public func shown(_ text: String) -> String {
        switch visibility {
        case .plain: return text
        case .secret: return "(set, hidden)"
        case .urlWithPassword:
            // As DatabaseURL reads it: the credentials end at the last `@` before the query, whose
            // options (file paths) may hold `@` and `:` of their own.
            guard let scheme = text.range(of: "://") else { return text }
            let beforeQuery = text[scheme.upperBound...].prefix { $0 != "?" }
            guard let at = beforeQuery.lastIndex(of: "@") else { return text }
            let userInfo = text[scheme.upperBound..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return text }
            return String(text[..<colon]) + ":***" + String(text[at...])
        }
    }

    /// The default as the README shows it.
    public var documentedDefault: String { defaultValue.map { "`\($0)`" } ?? unsetMeaning }
}
