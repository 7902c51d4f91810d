import ArgumentParser
import CairnClient
import CairnCore
import CairnSettings
import Foundation

/// `cairn doctor`: checks the configured server, token, versions and clocks, and says what is wrong.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the server address, the token and its scope, the server's version and the clock skew.")

    @OptionGroup var connection: ClientOptions

    func run() async throws {
        let reader = try connection.reader()
        let (uri, source) = reader.resolve(Settings.trackingURI, flag: connection.trackingURI) ?? ("", .defaultValue)
        Terminal.output("server:   \(uri) (from \(source))")
        let tokenSource = reader.resolve(Settings.token, flag: connection.token)?.source
        Terminal.output("token:    \(tokenSource.map { "set (from \($0))" } ?? "none")")
        var problems: [ClientError] = []
        try await connection.withClient { client in
            do throws(ClientError) {
                let server = try await client.serverVersion()
                let mine = CairnVersion.current
                Terminal.output(
                    "version:  server \(server.version), this cairn \(mine)\(server.version == mine ? "" : " (different: some commands may not match the server)")"
                )
                Terminal.output("latency:  \(Format.duration(milliseconds: server.roundTrip.milliseconds))")
                if let date = server.serverDate {
                    let skew = Date().timeIntervalSince(date)
                    let note = abs(skew) > 30 ? " (too large: signed webhook calls are refused beyond 30 s ahead or 300 s behind)" : ""
                    Terminal.output("clock:    this machine is \(String(format: "%+.0f", skew)) s from the server's (±1 s)\(note)")
                    if abs(skew) > 30 { problems.append(ClientError(.failed, "clock skew of \(Int(skew)) s")) }
                }
            } catch {
                guard error.kind == .notFound else { throw error }
                Terminal.output("version:  the server has no /version: it is not Cairn (an MLflow server?); Cairn's own commands will not work")
                problems.append(error)
                return
            }
            do throws(ClientError) {
                let me = try await client.whoami()
                let targets = (me["allowed_targets"]?.arrayValue ?? []).compactMap(\.stringValue)
                Terminal.output(
                    "identity: \(Format.scalar(me["actor"] ?? .null)), scope \(Format.scalar(me["scope"] ?? .null)), authentication \(Format.scalar(me["authentication"] ?? .null))"
                        + (targets.isEmpty ? "" : ", may promote to \(targets.joined(separator: ", "))"))
            } catch {
                guard error.kind == .notAllowed else { throw error }
                Terminal.output("identity: refused: \(error)")
                problems.append(error)
            }
        }
        if let first = problems.first {
            Terminal.message("\(problems.count) problem(s) found")
            throw first
        }
        Terminal.message("all checks passed")
    }
}

/// `cairn login --tracking-uri URL [--name PROFILE]`: saves a server and token as a profile.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save a server and its token as a profile (the token is read from stdin; the file is readable by you only).")

    @Option(name: .long, help: "The server's URL")
    var trackingURI: String

    @Option(name: .long, help: "The profile's name (default: default)")
    var name: String = ProfileStore.defaultName

    @Flag(name: .long, help: "Save without a token (a server with --auth none)")
    var noToken = false

    func run() async throws {
        var token: String?
        if !noToken {
            if Terminal.stdinIsTerminal { FileHandle.standardError.write(Data("Token for \(trackingURI): ".utf8)) }
            token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
            guard let token, !token.isEmpty else {
                throw ClientError(.usage, "No token on stdin (pass --no-token for a server without authentication)")
            }
        }
        var configuration = CairnClient.Configuration(trackingURI: trackingURI, token: token)
        configuration.retry.budget = .zero
        let client = try CairnClient(configuration)
        let me = try await client.whoami()
        let store = ProfileStore(environment: ConfigurationReader.process().environment)
        try store.save(ProfileStore.Profile(trackingURI: trackingURI, token: token), name: name)
        Terminal.message("saved profile '\(name)' in \(store.path): \(trackingURI) as \(Format.scalar(me["actor"] ?? .null))")
    }
}
