import Foundation

/// The profiles `cairn login` saves: per name, a server and a token, in
/// `$XDG_CONFIG_HOME/cairn/profiles.json` (else `~/.config/cairn/profiles.json`), readable by its
/// owner only (directory 0700, file 0600), since it holds tokens.
public struct ProfileStore: Sendable {
    /// One saved profile.
    public struct Profile: Sendable, Codable, Hashable {
        public var trackingURI: String
        public var token: String?

        public init(trackingURI: String, token: String?) {
            self.trackingURI = trackingURI
            self.token = token
        }

        enum CodingKeys: String, CodingKey {
            case trackingURI = "tracking_uri"
            case token
        }

        /// The values by setting flag name, as the configuration reader consults them.
        public var settingValues: [String: String] {
            var values = ["tracking-uri": trackingURI]
            if let token { values["token"] = token }
            return values
        }
    }

    /// The profile used when none is named.
    public static let defaultName = "default"

    /// The file holding the profiles.
    public let path: String

    /// The store of the user whose environment this is.
    public init(environment: [String: String]) {
        let base: String
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            base = config
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        path = base + "/cairn/profiles.json"
    }

    /// Every saved profile by name (none when the file does not exist).
    /// - Throws: ``ClientError/Kind/usage`` for a file that cannot be read or parsed.
    public func load() throws(ClientError) -> [String: Profile] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(File.self, from: data).profiles
        } catch {
            throw ClientError(.usage, "Cannot read the saved profiles in \(path): \(error.localizedDescription); fix or remove the file")
        }
    }

    /// The profile called `name`, nil when not saved.
    public func profile(named name: String) throws(ClientError) -> Profile? {
        try load()[name]
    }

    /// Saves (or replaces) the profile called `name`.
    public func save(_ profile: Profile, name: String) throws(ClientError) {
        var profiles = try load()
        profiles[name] = profile
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(File(profiles: profiles))
            // Written to a private temporary file first, then renamed: the token is never
            // readable by others, not even for a moment.
            let temporary = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw ClientError(.failed, "Cannot write \(temporary)")
            }
            if rename(temporary, path) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw ClientError(.failed, "Cannot save \(path): \(reason)")
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.failed, "Cannot save \(path): \(error.localizedDescription)")
        }
    }

    private struct File: Codable {
        var profiles: [String: Profile]
    }
}
