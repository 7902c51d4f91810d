import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--log-format text`: the lines of swift-log's `StreamLogHandler` (`<local time> <level>
/// <label>: <key=value …> [<source>] <message>`, metadata sorted by key, a logged error as
/// `error.message` and `error.type`). `StreamLogHandler` itself formats its metadata again
/// whenever a key is set, and the server sets one on every request's logger (its request id)
/// though at the default level no line of that request is written: about 3% of the CPU of
/// `GET /version`.
enum TextLogLine {
    static func make(label: String, metadata: Logger.Metadata, event: LogEvent) -> String {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = "\(timestamp()) \(event.level) \(label):"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        return line
    }

    /// Local time to the second with its offset, as `StreamLogHandler` writes it:
    /// `2026-12-07T01:02:03+0000`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [Int8](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
