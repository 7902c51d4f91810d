import ArgumentParser
import CairnCore
import CairnDeploy
import CairnServer
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

    @Option(name: .long, help: "Address to listen on (env CAIRN_HOST; default 127.0.0.1)")
    var host: String?

    @Option(name: .long, help: "Port to listen on (env CAIRN_PORT; default 5000)")
    var port: Int?

    @Option(
        name: .long,
        help: """
            Artifact store: a directory or s3://bucket/prefix (env CAIRN_ARTIFACTS_URI; default ./cairn-data/artifacts). \
            S3 reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, CAIRN_S3_ENDPOINT \
            (or AWS_ENDPOINT_URL_S3), CAIRN_S3_PATH_STYLE, CAIRN_S3_PUBLIC_ENDPOINT, CAIRN_S3_PRESIGN and \
            CAIRN_S3_DOWNLOAD_CONCURRENCY.
            """)
    var artifactsURI: String?

    @Option(name: .long, help: "Authentication: none or token (env CAIRN_AUTH; default none, which only listens on loopback)")
    var auth: String?

    @Flag(name: .long, help: "Allow --auth none on a non-loopback address (env CAIRN_INSECURE_ALLOW_REMOTE=true)")
    var insecureAllowRemote = false

    @Option(name: .long, help: "Requests per second per token, at least 50 (env CAIRN_RATE_LIMIT; default off)")
    var rateLimit: Int?

    @Option(name: .long, help: "PEM certificate chain for HTTPS (env CAIRN_TLS_CERT; needs --tls-key)")
    var tlsCert: String?

    @Option(name: .long, help: "PEM private key for HTTPS (env CAIRN_TLS_KEY)")
    var tlsKey: String?

    @Option(name: .long, help: "Promotion targets YAML file (env CAIRN_TARGETS; default: none, promotions answer 404)")
    var targets: String?

    @Option(
        name: .long,
        help: "How long an in-flight promotion survives its replica before another takes it over (env CAIRN_PROMOTION_LEASE; default 30s)")
    var promotionLease: String?

    @Option(name: .long, help: "How often a rollout's readiness is polled (env CAIRN_PROMOTION_POLL_INTERVAL; default 1s)")
    var promotionPollInterval: String?

    @Option(
        name: .long,
        help:
            "Longest a PostgreSQL statement may run before it is cancelled and the request answered 400: a duration, or 0 for no limit (env CAIRN_STATEMENT_TIMEOUT; default 10s)"
    )
    var statementTimeout: String?

    @Option(
        name: .long,
        help: "With --auth none: host names besides the loopback ones that requests may carry in Host (comma-separated; env CAIRN_ALLOWED_HOSTS)")
    var allowedHosts: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        MallocTuning.apply()
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("CAIRN_HOST") ?? configuration.host
        if let portText = port.map(String.init) ?? Environment.value("CAIRN_PORT") {
            guard let value = Int(portText), (0...65535).contains(value) else {
                throw ValidationError("Invalid port '\(portText)': expected a number between 0 and 65535")
            }
            configuration.port = value
        }
        configuration.database = try database.resolvedDatabase()
        if let artifacts = artifactsURI ?? Environment.value("CAIRN_ARTIFACTS_URI") {
            if artifacts.hasPrefix("s3://") {
                configuration.artifacts = .s3(try S3Settings.fromEnvironment(uri: artifacts))
            } else {
                configuration.artifacts = .local(artifacts.hasPrefix("file://") ? String(artifacts.dropFirst("file://".count)) : artifacts)
            }
        }
        let authText = auth ?? Environment.value("CAIRN_AUTH") ?? "none"
        guard let mode = AuthConfiguration.Mode(rawValue: authText.lowercased()) else {
            throw ValidationError("Invalid --auth '\(authText)': expected none or token")
        }
        configuration.auth.mode = mode
        if let rateText = rateLimit.map(String.init) ?? Environment.value("CAIRN_RATE_LIMIT") {
            guard let rate = Int(rateText) else { throw ValidationError("Invalid --rate-limit '\(rateText)': expected requests per second") }
            configuration.auth.rateLimitPerSecond = rate
        }
        configuration.insecureAllowRemote = insecureAllowRemote || Environment.value("CAIRN_INSECURE_ALLOW_REMOTE") == "true"
        configuration.adminToken = Environment.value("CAIRN_ADMIN_TOKEN")
        switch (tlsCert ?? Environment.value("CAIRN_TLS_CERT"), tlsKey ?? Environment.value("CAIRN_TLS_KEY")) {
        case (let cert?, let key?): configuration.tls = .init(certificateChain: cert, privateKey: key)
        case (nil, nil): break
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        if let text = statementTimeout ?? Environment.value("CAIRN_STATEMENT_TIMEOUT") {
            if text == "0" {
                configuration.statementTimeout = nil
            } else {
                guard let value = TargetDuration.parse(text), value <= .seconds(86_400) else {
                    throw ValidationError("Invalid --statement-timeout '\(text)': expected a duration up to 24h such as 10s or 1m, or 0 for no limit")
                }
                configuration.statementTimeout = value
            }
        }
        if let text = allowedHosts ?? Environment.value("CAIRN_ALLOWED_HOSTS") {
            configuration.allowedHosts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter {
                !$0.isEmpty
            }
            if let withPort = configuration.allowedHosts.first(where: { $0.hasPrefix("[") ? !$0.hasSuffix("]") : $0.contains(":") }) {
                throw ValidationError("Invalid --allowed-hosts entry '\(withPort)': give host names without a port (IPv6 in brackets)")
            }
        }
        configuration.promotion = try PromotionSettings.resolve(
            targetsPath: targets, lease: promotionLease, pollInterval: promotionPollInterval)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        let logger = try database.logger("cairn")
        let app = try await buildApplication(configuration, logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ListenError(
                "Cannot listen on \(configuration.host):\(configuration.port): another process already uses that port (choose another with --port or CAIRN_PORT)"
            )
        }
    }
}

/// Why `cairn serve` could not start listening, printed as `Error: <message>` with exit status 1.
struct ListenError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
