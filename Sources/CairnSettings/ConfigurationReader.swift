import CairnDeploy
import Foundation

/// Reads settings for every command: the flag when given, else the first of the setting's
/// environment variables that is set (and not empty), else the saved profile's value (client
/// commands, `cairn login`), else its default. The only code in Cairn that looks at the process
/// environment.
public struct ConfigurationReader: Sendable {
    /// Where a value came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case flag(String)
        case environment(String)
        case profile(String)
        case defaultValue

        public var description: String {
            switch self {
            case .flag(let name): "--\(name)"
            case .environment(let name): name
            case .profile(let name): "profile \(name)"
            case .defaultValue: "default"
            }
        }
    }

    /// The environment variables, as the process received them.
    public let environment: [String: String]
    /// A saved profile: its name and its values by flag name (`tracking-uri`), consulted after
    /// the environment.
    public let profile: (name: String, values: [String: String])?

    public init(environment: [String: String], profile: (name: String, values: [String: String])? = nil) {
        self.environment = environment
        self.profile = profile
    }

    /// The same reader with a saved profile consulted after the environment.
    public func with(profile name: String, values: [String: String]) -> ConfigurationReader {
        ConfigurationReader(environment: environment, profile: (name, values))
    }

    /// A reader of this process's environment.
    public static func process() -> ConfigurationReader {
        ConfigurationReader(environment: ProcessInfo.processInfo.environment)
    }

    /// A variable the configuration itself names (e.g. a target's `webhook_secret_env`); nil
    /// when unset or empty.
    public func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The setting's text and where it came from; nil when nothing sets it and it has no default.
    public func resolve(_ setting: Setting, flag: String? = nil) -> (text: String, source: Source)? {
        if let flag, let name = setting.flag { return (flag, .flag(name)) }
        for name in setting.environment {
            if let value = variable(name) { return (value, .environment(name)) }
        }
        if let profile, let name = setting.flag, let value = profile.values[name], !value.isEmpty {
            return (value, .profile(profile.name))
        }
        return setting.defaultValue.map { ($0, .defaultValue) }
    }

    /// The setting's text (flag, environment, default), or nil.
    public func string(_ setting: Setting, flag: String? = nil) -> String? {
        resolve(setting, flag: flag)?.text
    }

    /// The setting parsed by `parse`; a value it refuses (returning nil, or throwing an error
    /// that describes the value) is an error naming the flag or variable it came from.
    public func value<T>(_ setting: Setting, flag: String? = nil, expected: String, _ parse: (String) throws -> T?) throws -> T? {
        guard let (text, source) = resolve(setting, flag: flag) else { return nil }
        let parsed: T?
        do {
            parsed = try parse(text)
        } catch {
            throw CommandError("Invalid \(Self.name(of: setting, from: source)): \(String(describing: error))")
        }
        guard let parsed else {
            throw CommandError("Invalid \(Self.name(of: setting, from: source)) '\(setting.shown(text))': expected \(expected)")
        }
        return parsed
    }

    /// The value of a setting that has a default, so is never missing.
    public func required<T>(_ setting: Setting, flag: String? = nil, expected: String, _ parse: (String) throws -> T?) throws -> T {
        try present(value(setting, flag: flag, expected: expected, parse), setting)
    }

    /// The text of a setting that has a default.
    public func required(_ setting: Setting, flag: String? = nil) throws -> String {
        try present(string(setting, flag: flag), setting)
    }

    /// An integer in `range`, for a setting that has a default.
    public func required(_ setting: Setting, flag: Int? = nil, in range: ClosedRange<Int>, expected: String) throws -> Int {
        try present(integer(setting, flag: flag, in: range, expected: expected), setting)
    }

    /// A duration, for a setting that has a default.
    public func requiredDuration(_ setting: Setting, flag: String? = nil) throws -> Duration {
        try present(duration(setting, flag: flag), setting)
    }

    private func present<T>(_ value: T?, _ setting: Setting) throws -> T {
        guard let value else { throw CommandError("\(setting.displayName) needs a value") }
        return value
    }

    /// An integer in `range`.
    public func integer(_ setting: Setting, flag: Int? = nil, in range: ClosedRange<Int>, expected: String) throws -> Int? {
        try value(setting, flag: flag.map(String.init), expected: expected) { Int($0).flatMap { range.contains($0) ? $0 : nil } }
    }

    /// A boolean: `true`/`1`/`yes` or `false`/`0`/`no`; a flag that is present means true.
    public func boolean(_ setting: Setting, flag: Bool = false) throws -> Bool {
        try value(setting, flag: flag ? "true" : nil, expected: "true or false") { text in
            switch text.lowercased() {
            case "true", "1", "yes": true
            case "false", "0", "no": false
            default: nil
            }
        } ?? false
    }

    /// A duration such as `30s`, `5m` or `1h`.
    public func duration(_ setting: Setting, flag: String? = nil) throws -> Duration? {
        try value(setting, flag: flag, expected: "a duration such as 30s, 5m or 1h") { TargetDuration.parse($0) }
    }

    /// How an error names the setting: the flag when the value came from it or the setting has no
    /// variable, else the variable that was read.
    private static func name(of setting: Setting, from source: Source) -> String {
        switch source {
        case .environment(let name): name
        case .flag, .profile, .defaultValue: setting.displayName
        }
    }
}
