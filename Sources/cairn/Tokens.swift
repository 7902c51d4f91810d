import ArgumentParser
import CairnClient
import CairnCore
import CairnSettings
import CairnStore
import Foundation
import Logging
import NIOHTTP1

/// `cairn tokens`: create, list and revoke API tokens, offline against the database (to
/// bootstrap the first admin token) or over the API with an admin token.
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.",
        discussion:
            "With a server configured (--tracking-uri, CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI) over its API with an admin token; else on the database.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Where the tokens are: the database directly, or a running server.
    struct Location: ParsableArguments {
        @OptionGroup var connection: ClientOptions

        @OptionGroup var database: DatabaseOptions

        /// Whether a server is configured (the default address does not count): then the
        /// commands work over its API.
        var isRemote: Bool {
            get throws {
                guard let source = try connection.reader().resolve(Settings.trackingURI, flag: connection.trackingURI)?.source else { return false }
                return source != .defaultValue
            }
        }

        /// Runs `body` with a token store on the configured database (offline mode).
        func withStore<T: Sendable>(_ body: @Sendable (TokenStore) async throws -> T) async throws -> T {
            let reader = ConfigurationReader.process()
            let logger = try database.logger("cairn.tokens", reader)
            return try await withMigratedDatabase(try database.database(reader), logger: logger) { db, _ in
                try await body(TokenStore(database: db))
            }
        }

        /// Calls the token API of the configured server.
        func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
            try await connection.withClient { try await $0.call(method, path, body: body) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints its secret once.")

        @Argument(help: "The token's name (shown in the audit log)")
        var name: String

        @Option(name: .long, help: "read, write or admin")
        var scope: String

        @Option(name: .long, help: "Days until the token expires (default: never)")
        var expiresInDays: Int?

        @Option(name: .long, help: "A promotion target a write token may promote to (repeatable)")
        var allowedTarget: [String] = []

        @Option(name: .long, help: "text (the token alone) or json ({\"name\", \"scope\", \"token\"})")
        var output: String = "text"

        @OptionGroup var location: Location

        func run() async throws {
            let scope = try TokenScope(parsing: scope)
            if let days = expiresInDays, !(1...36_500).contains(days) {
                throw ValidationError("--expires-in-days must be between 1 and 36500")
            }
            let expiresAt = expiresInDays.map { Clock.nowMillis() + Int64($0) * 86_400_000 }
            let secret: String
            if try location.isRemote {
                var body: JSONValue = [
                    "name": .string(name), "scope": .string(scope.rawValue), "allowed_targets": .array(allowedTarget.map { .string($0) }),
                ]
                if let expiresAt { body["expires_at"] = .int(expiresAt) }
                secret = try await location.call(.POST, "/api/cairn/v1/tokens", body: body)["token"]?.stringValue ?? ""
            } else {
                let name = self.name
                let targets = allowedTarget
                secret = try await location.withStore {
                    try await $0.create(name: name, scope: scope, expiresAt: expiresAt, allowedTargets: targets).secret
                }
            }
            if output == "json" {
                print(JSONValue.fields(["name": .string(name), "scope": .string(scope.rawValue), "token": .string(secret)]).jsonString)
            } else {
                print(secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var location: Location

        func run() async throws {
            if try location.isRemote {
                for token in try await location.call(.GET, "/api/cairn/v1/tokens")["tokens"]?.arrayValue ?? [] {
                    let state = (token["revoked_at"] ?? .null) == .null ? "active" : "revoked"
                    print("\(token["name"]?.stringValue ?? "")\t\(token["scope"]?.stringValue ?? "")\t\(state)")
                }
                return
            }
            for token in try await location.withStore({ try await $0.list() }) {
                print("\(token.name)\t\(token.scope.rawValue)\t\(token.revokedAt == nil ? "active" : "revoked")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token.")

        @Argument var name: String

        @OptionGroup var location: Location

        func run() async throws {
            if try location.isRemote {
                _ = try await location.call(
                    .DELETE, "/api/cairn/v1/tokens/\(PercentEncoding.encodeComponent(name))")
            } else {
                let name = self.name
                try await location.withStore { try await $0.revoke(name: name) }
            }
            print("revoked \(name)")
        }
    }
}
