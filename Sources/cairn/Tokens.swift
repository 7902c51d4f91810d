import ArgumentParser
import CairnCore
import CairnSettings
import CairnStore
import Foundation
import Logging

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `cairn tokens`: create, list and revoke API tokens, offline against the database (to
/// bootstrap the first admin token) or over the API with an admin token.
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Where the tokens are: the database directly, or a running server.
    struct Location: ParsableArguments {
        @Option(name: .customLong(Settings.trackingURI.flag!), help: ArgumentHelp(Settings.trackingURI.help))
        var trackingURI: String?

        @Option(name: .customLong(Settings.token.flag!), help: ArgumentHelp(Settings.token.help))
        var token: String?

        @OptionGroup var database: DatabaseOptions

        var remote: (url: String, token: String)? {
            let reader = ConfigurationReader.process()
            guard let url = reader.string(Settings.trackingURI, flag: trackingURI) else { return nil }
            return (url, reader.string(Settings.token, flag: token) ?? "")
        }

        /// Runs `body` with a token store on the configured database (offline mode).
        func withStore<T: Sendable>(_ body: @Sendable (TokenStore) async throws -> T) async throws -> T {
            let reader = ConfigurationReader.process()
            let logger = try database.logger("cairn.tokens", reader)
            return try await withMigratedDatabase(try database.database(reader), logger: logger) { db, _ in
                try await body(TokenStore(database: db))
            }
        }

        /// Calls the token API of a running server; returns the JSON object, or throws its error message.
        func call(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> [String: Any] {
            guard let remote, let url = URL(string: remote.url.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
                throw ValidationError("Invalid --tracking-uri")
            }
            var request = URLRequest(url: url)
            request.httpMethod = method
            request.setValue("Bearer \(remote.token)", forHTTPHeaderField: "Authorization")
            if let body {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
                let code = (response as? HTTPURLResponse)?.statusCode ?? 0
                throw ValidationError("HTTP \(code): \(object["message"] as? String ?? String(decoding: data, as: UTF8.self))")
            }
            return object
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
            if location.remote != nil {
                var body: [String: Any] = ["name": name, "scope": scope.rawValue, "allowed_targets": allowedTarget]
                if let expiresAt { body["expires_at"] = expiresAt }
                let object = try await location.call("POST", "/api/cairn/v1/tokens", body: body)
                secret = object["token"] as? String ?? ""
            } else {
                let name = self.name
                let targets = allowedTarget
                secret = try await location.withStore {
                    try await $0.create(name: name, scope: scope, expiresAt: expiresAt, allowedTargets: targets).secret
                }
            }
            if output == "json" {
                let data = try JSONSerialization.data(
                    withJSONObject: ["name": name, "scope": scope.rawValue, "token": secret], options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var location: Location

        func run() async throws {
            if location.remote != nil {
                let object = try await location.call("GET", "/api/cairn/v1/tokens")
                for token in object["tokens"] as? [[String: Any]] ?? [] {
                    print("\(token["name"] ?? "")\t\(token["scope"] ?? "")\t\(token["revoked_at"] == nil ? "active" : "revoked")")
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
            if location.remote != nil {
                _ = try await location.call("DELETE", "/api/cairn/v1/tokens/\(name)")
            } else {
                let name = self.name
                try await location.withStore { try await $0.revoke(name: name) }
            }
            print("revoked \(name)")
        }
    }
}
