import ArgumentParser
import CairnClient
import CairnDeploy
import CairnSettings

/// The connection options of every client command: which server, which token, which saved
/// profile, and how long to retry. Flags beat environment variables beat the profile.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong(Settings.trackingURI.flag!), help: ArgumentHelp(Settings.trackingURI.help))
    var trackingURI: String?

    @Option(name: .customLong(Settings.token.flag!), help: ArgumentHelp(Settings.token.help))
    var token: String?

    @Option(name: .customLong(Settings.profile.flag!), help: ArgumentHelp(Settings.profile.help))
    var profile: String?

    @Option(name: .customLong(Settings.retryFor.flag!), help: ArgumentHelp(Settings.retryFor.help))
    var retryFor: String?

    /// The settings reader with the chosen profile (the named one, else `default` when saved).
    func reader() throws -> ConfigurationReader {
        let reader = ConfigurationReader.process()
        let store = ProfileStore(environment: reader.environment)
        if let name = reader.string(Settings.profile, flag: profile) {
            guard let saved = try store.profile(named: name) else {
                throw ClientError(.usage, "No saved profile named '\(name)' in \(store.path): save one with `cairn login --name \(name)`")
            }
            return reader.with(profile: name, values: saved.settingValues)
        }
        if let saved = try store.profile(named: ProfileStore.defaultName) {
            return reader.with(profile: ProfileStore.defaultName, values: saved.settingValues)
        }
        return reader
    }

    /// Runs `body` with a client of the configured server (its configuration adjusted by
    /// `adjust`). When no server is configured and the default address does not answer, the
    /// error says how to configure one.
    func withClient<T>(adjust: (inout CairnClient.Configuration) -> Void = { _ in }, _ body: (CairnClient) async throws -> T) async throws -> T {
        let reader = try reader()
        let (uri, source) = try reader.resolve(Settings.trackingURI, flag: trackingURI) ?? ("", .defaultValue)
        var configuration = CairnClient.Configuration(trackingURI: uri, token: reader.string(Settings.token, flag: token))
        configuration.retry.budget = try reader.required(Settings.retryFor, flag: retryFor, expected: "a duration such as 60s or 5m, or 0") {
            $0 == "0" ? .zero : TargetDuration.parse($0)
        }
        adjust(&configuration)
        let client = try CairnClient(configuration)
        do {
            return try await body(client)
        } catch var error as ClientError where error.kind == .unavailable && source == .defaultValue && error.status == nil {
            error.message +=
                ". No server is configured, so the default \(uri) was tried: pass --tracking-uri, set CAIRN_TRACKING_URI (or MLFLOW_TRACKING_URI), or save a profile with `cairn login`"
            throw error
        }
    }
}
