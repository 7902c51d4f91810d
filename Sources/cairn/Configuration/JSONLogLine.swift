import CairnCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--log-format json`: a log record as one JSON object on one line, for log collectors: `ts`
/// (UTC, milliseconds), `level`, `logger`, `msg`, then the metadata as string fields (the
/// request's `request_id` among them).
enum JSONLogLine {
    static func make(label: String, metadata: Logger.Metadata, event: LogEvent) -> String {
        var line = "{\"ts\":\""
        line += timestamp()
        line += "\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        line += JSONValue.quoted(label)
        line += ",\"msg\":"
        line += JSONValue.quoted(event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            line += ","
            line += JSONValue.quoted(key)
            line += ":"
            line += JSONValue.quoted(merged[key]!.description)
        }
        line += "}\n"
        return line
    }

    /// `2026-12-06T03:04:05.678Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec / 1_000_000))
    }
}
