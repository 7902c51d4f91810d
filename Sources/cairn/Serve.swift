import ArgumentParser
import CairnCore
import CairnDeploy
import CairnServer
import CairnSettings
import Foundation
import Hummingbird
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cairn serve`: runs the HTTP server until SIGINT/SIGTERM, then shuts down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Cairn server.")

    @Option(name: .customLong(Settings.host.flag!), help: ArgumentHelp(Settings.host.help))
    var host: String?

    @Option(name: .customLong(Settings.port.flag!), help: ArgumentHelp(Settings.port.help))
    var port: Int?

    @Option(name: .customLong(Settings.auth.flag!), help: ArgumentHelp(Settings.auth.help))
    var auth: String?

    @Flag(name: .customLong(Settings.insecureAllowRemote.flag!), help: ArgumentHelp(Settings.insecureAllowRemote.help))
    var insecureAllowRemote = false

    @Option(name: .customLong(Settings.rateLimit.flag!), help: ArgumentHelp(Settings.rateLimit.help))
    var rateLimit: Int?

    @Option(name: .customLong(Settings.tlsCert.flag!), help: ArgumentHelp(Settings.tlsCert.help))
    var tlsCert: String?

    @Option(name: .customLong(Settings.tlsKey.flag!), help: ArgumentHelp(Settings.tlsKey.help))
    var tlsKey: String?

    @Option(name: .customLong(Settings.statementTimeout.flag!), help: ArgumentHelp(Settings.statementTimeout.help))
    var statementTimeout: String?

    @Option(name: .customLong(Settings.allowedHosts.flag!), help: ArgumentHelp(Settings.allowedHosts.help))
    var allowedHosts: String?

    @Option(name: .customLong(Settings.metrics.flag!), help: ArgumentHelp(Settings.metrics.help))
    var metrics: String?

    @Option(name: .customLong(Settings.metricsPort.flag!), help: ArgumentHelp(Settings.metricsPort.help))
    var metricsPort: Int?

    @Option(name: .customLong(Settings.shutdownDelay.flag!), help: ArgumentHelp(Settings.shutdownDelay.help))
    var shutdownDelay: String?

    @Option(name: .customLong(Settings.shutdownGrace.flag!), help: ArgumentHelp(Settings.shutdownGrace.help))
    var shutdownGrace: String?

    @OptionGroup var artifacts: ArtifactOptions

    @OptionGroup var promotion: PromotionOptions

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        MallocTuning.apply()
        let reader = ConfigurationReader.process()
        let configuration = try serverConfiguration(reader)
        let logger = try database.logger("cairn", reader)
        do {
            try await runServer(configuration, logger: logger)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CommandError(
                "Cannot listen on \(configuration.host):\(configuration.port): another process already uses that port (choose another with --port or CAIRN_PORT)"
            )
        }
    }

    /// The server's settings: flags, then environment, then defaults.
    func serverConfiguration(_ reader: ConfigurationReader) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.workingDirectory = FileManager.default.currentDirectoryPath
        configuration.host = try reader.required(Settings.host, flag: host)
        configuration.port = try reader.required(Settings.port, flag: port, in: 0...65535, expected: "a number between 0 and 65535")
        configuration.database = try database.database(reader)
        configuration.artifacts = try artifacts.backend(reader)
        configuration.auth.mode = try reader.required(Settings.auth, flag: auth, expected: "none or token") {
            AuthConfiguration.Mode(rawValue: $0.lowercased())
        }
        configuration.auth.rateLimitPerSecond = try reader.integer(
            Settings.rateLimit, flag: rateLimit, in: Int.min...Int.max, expected: "requests per second")
        configuration.insecureAllowRemote = try reader.boolean(Settings.insecureAllowRemote, flag: insecureAllowRemote)
        configuration.adminToken = reader.string(Settings.adminToken)
        switch (reader.string(Settings.tlsCert, flag: tlsCert), reader.string(Settings.tlsKey, flag: tlsKey)) {
        case (let cert?, let key?): configuration.tls = .init(certificateChain: cert, privateKey: key)
        case (nil, nil): break
        default: throw CommandError("--tls-cert and --tls-key go together")
        }
        configuration.statementTimeout = try reader.required(
            Settings.statementTimeout, flag: statementTimeout, expected: "a duration up to 24h such as 10s or 1m, or 0 for no limit"
        ) { text -> Duration?? in
            if text == "0" { return .some(nil) }
            return TargetDuration.parse(text).flatMap { $0 <= .seconds(86_400) ? .some($0) : nil }
        }
        if let text = reader.string(Settings.allowedHosts, flag: allowedHosts) {
            configuration.allowedHosts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter {
                !$0.isEmpty
            }
            if let withPort = configuration.allowedHosts.first(where: { $0.hasPrefix("[") ? !$0.hasSuffix("]") : $0.contains(":") }) {
                throw CommandError("Invalid --allowed-hosts entry '\(withPort)': give host names without a port (IPv6 in brackets)")
            }
        }
        configuration.metricsEnabled = try reader.required(Settings.metrics, flag: metrics, expected: "on or off") { text -> Bool? in
            switch text.lowercased() {
            case "on": true
            case "off": false
            default: nil
            }
        }
        configuration.metricsPort = try reader.integer(
            Settings.metricsPort, flag: metricsPort, in: 1...65535, expected: "a port number between 1 and 65535")
        if configuration.metricsPort != nil && !configuration.metricsEnabled {
            throw CommandError("--metrics-port needs --metrics on")
        }
        if let metricsPort = configuration.metricsPort, metricsPort == configuration.port {
            throw CommandError("--metrics-port \(metricsPort) is the API port; choose another, or leave it unset to serve /metrics on the API port")
        }
        configuration.accessLogLevel = try database.logsJSON(reader) ? .info : .debug
        configuration.shutdownDelay = try reader.required(
            Settings.shutdownDelay, flag: shutdownDelay, expected: "a duration up to 10m such as 5s, or 0"
        ) { Self.duration($0, upTo: .seconds(600)) }
        configuration.shutdownGrace = try reader.required(
            Settings.shutdownGrace, flag: shutdownGrace, expected: "a duration up to 1h such as 25s, or 0"
        ) { Self.duration($0, upTo: .seconds(3600)) }
        configuration.promotion = try promotion.configuration(reader)
        do {
            try configuration.validate()
        } catch {
            throw CommandError(error.message)
        }
        return configuration
    }

    /// A duration such as `25s` or `1m` no longer than `limit`; `0`, `0s`, `0ms` and `0m` are zero.
    static func duration(_ text: String, upTo limit: Duration) -> Duration? {
        if text.trimmingCharacters(in: CharacterSet(charactersIn: "0")).isEmpty || ["0s", "0ms", "0m"].contains(text) { return .zero }
        return TargetDuration.parse(text).flatMap { $0 <= limit ? $0 : nil }
    }
}
