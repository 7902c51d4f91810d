import ArgumentParser
import CairnClient
import CairnCore

extension ModelsCommand {
    /// `cairn models alias set | delete`.
    struct AliasCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alias", abstract: "Point an alias at a version, or remove it.", subcommands: [Set.self, Delete.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set", abstract: "Point ALIAS of model NAME at VERSION.")

            @Argument var name: String
            @Argument var alias: String
            @Argument var version: Int64

            @Option(
                name: .long,
                help: "Move the alias only if it points at this version now (0: only if it does not exist yet); else exit 5")
            var expectVersion: Int64?

            @OptionGroup var connection: ClientOptions

            func run() async throws {
                try await connection.withClient { client in
                    try await client.setAlias(model: name, alias: alias, version: version, expectVersion: expectVersion)
                }
                Terminal.message("\(name)@\(alias) → version \(version)")
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove ALIAS of model NAME.")

            @Argument var name: String
            @Argument var alias: String

            @OptionGroup var connection: ClientOptions

            func run() async throws {
                try await connection.withClient { try await $0.deleteAlias(model: name, alias: alias) }
                Terminal.message("removed \(name)@\(alias)")
            }
        }
    }

    /// `cairn models tag NAME [--version N] KEY=VALUE...`.
    struct TagCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tag", abstract: "Set tags on a model or one of its versions.")

        @Argument var name: String

        @Argument(help: "KEY=VALUE pairs")
        var tags: [String]

        @Option(name: .long, help: "Tag this version instead of the model")
        var version: Int64?

        @OptionGroup var connection: ClientOptions

        func validate() throws {
            guard !tags.isEmpty else { throw ValidationError("Give at least one KEY=VALUE") }
            if let bad = tags.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
                throw ValidationError("'\(bad)' is not KEY=VALUE")
            }
        }

        func run() async throws {
            try await connection.withClient { client in
                for pair in tags {
                    let key = String(pair.prefix { $0 != "=" })
                    try await client.setTag(model: name, version: version, key: key, value: String(pair.dropFirst(key.count + 1)))
                }
            }
        }
    }
}
