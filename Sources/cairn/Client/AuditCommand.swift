import ArgumentParser
import CairnClient
import CairnCore
import CairnDeploy
import Foundation

/// `cairn audit --model M [--since T]`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit log of a registered model: who changed what, when, newest first.")

    @Option(name: .long, help: "The model's name")
    var model: String

    @Option(name: .long, help: "Only events newer than this: a duration back from now (24h, or 168h for a week) or a date (2026-12-01)")
    var since: String?

    @OptionGroup var list: ListOptions

    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: ClientOptions

    func run() async throws {
        let cutoff = try since.map(Self.cutoff)
        try await connection.withClient { client in
            try await ListOutput(
                format: output.output,
                columns: [
                    Column("TIME") { Format.time($0["timestamp"]) }, Column("ACTION", field: "action"), Column("ACTOR", field: "actor"),
                ],
                wideColumns: [Column("AFTER", field: "after")]
            ).print(limit: list.limit) { token, wanted in
                var page = try await client.audit(entity: "model:\(model)", maxResults: ListOptions.pageSize(wanted), pageToken: token)
                if let cutoff {
                    // Newest first: the first event older than the cutoff ends the listing.
                    let items = page.items
                    let kept = items.prefix { (Format.millis($0["timestamp"]) ?? 0) >= cutoff }
                    if kept.count < items.count { page.nextPageToken = nil }
                    page.items = Array(kept)
                }
                return page
            }
        }
    }

    /// `--since` as a millisecond timestamp.
    static func cutoff(_ text: String) throws -> Int64 {
        if let duration = TargetDuration.parse(text) {
            return Int64(Date().timeIntervalSince1970 * 1000) - duration.milliseconds
        }
        if let date = Format.parseDate(text) { return date }
        throw ValidationError("Invalid --since '\(text)': expected a duration such as 24h or a date such as 2026-12-01")
    }
}
