import CairnClient
import CairnCore
import CairnDeploy

/// A column of a list's table: its header and how a cell is read from the API's object.
struct Column: Sendable {
    let header: String
    let value: @Sendable (JSONValue) -> String

    init(_ header: String, _ value: @escaping @Sendable (JSONValue) -> String) {
        self.header = header
        self.value = value
    }

    /// A column showing one string field.
    init(_ header: String, field: String) {
        self.init(header) { $0[field].map(Format.scalar) ?? "" }
    }
}

/// Prints a listing in the chosen format, fetching pages as it goes: `ndjson` and `json` print
/// each page as it arrives (so a long listing holds one page in memory), as the server's own
/// text of each object (never decoded and encoded again); tables and YAML collect what they print.
struct ListOutput {
    let format: OutputFormat
    let columns: [Column]
    let wideColumns: [Column]

    /// Fetches pages with `fetch` until `limit` items were printed (nil: all) or the last page.
    func print(limit: Int?, _ fetch: (_ pageToken: String?, _ wanted: Int?) async throws -> ResultPage) async throws {
        var token: String?
        var count = 0
        var collected: [JSONValue] = []
        // JSON arrays are printed one element behind, so each but the last gets its comma.
        var pendingJSON: String?
        if format == .json { Terminal.output("[") }
        repeat {
            let wanted = limit.map { $0 - count }
            var page = try await fetch(token, wanted)
            if let limit, page.count > limit - count { page = page.prefix(limit - count) }
            count += page.count
            switch format {
            case .ndjson:
                let texts = page.itemTexts
                if !texts.isEmpty { Terminal.output(texts.joined(separator: "\n")) }
            case .json:
                var text = ""
                for item in page.itemTexts {
                    if let pending = pendingJSON { text += "  " + pending + ",\n" }
                    pendingJSON = item
                }
                if !text.isEmpty { Terminal.write(text) }
            case .table, .wide, .yaml:
                collected += page.items
            }
            token = page.nextPageToken
        } while token != nil && (limit.map { count < $0 } ?? true)
        switch format {
        case .json:
            if let pending = pendingJSON { Terminal.output("  " + pending) }
            Terminal.output("]")
        case .yaml: Swift.print(ManifestEncoder.yaml(.array(collected)), terminator: "")
        case .table, .wide:
            let chosen = format == .wide ? columns + wideColumns : columns
            let lines = TableRenderer.render(
                headers: chosen.map(\.header), rows: collected.map { item in chosen.map { $0.value(item) } }, width: Terminal.width)
            if collected.isEmpty {
                Terminal.message("No results.")
            } else {
                Terminal.output(lines.joined(separator: "\n"))
            }
            if token != nil { Terminal.message("(more results: raise --max or pass --all)") }
        case .ndjson: break
        }
    }
}

/// Prints one object: its text for people, or the API's object as JSON or YAML.
enum ObjectOutput {
    static func print(_ value: JSONValue, format: OutputFormat, text: () -> [String]) {
        switch format {
        case .json, .ndjson: Terminal.output(value.jsonText(.pretty))
        case .yaml: Swift.print(ManifestEncoder.yaml(value), terminator: "")
        case .table, .wide: text().forEach(Terminal.output)
        }
    }
}
