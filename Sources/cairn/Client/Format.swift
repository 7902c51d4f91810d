import CairnCore
import Foundation

/// How values read in tables: scalars as text, millisecond times as local date and time,
/// durations in the largest sensible unit.
enum Format {
    /// A scalar as text; objects and arrays as compact JSON.
    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let bool): bool ? "true" : "false"
        case .int(let int): String(int)
        case .double(let double): JSONValue.formatDouble(double)
        case .string(let string): string
        case .array, .object: value.jsonText()
        }
    }

    /// A millisecond timestamp (number or numeric string) as `2026-12-05 14:03:07`, local time.
    static func time(_ value: JSONValue?) -> String {
        guard let millis = millis(value), millis > 0 else { return "" }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// The time between two millisecond timestamps, e.g. `1h 02m`, `3.2s`; empty when unfinished.
    static func duration(from start: JSONValue?, to end: JSONValue?) -> String {
        guard let start = millis(start), let end = millis(end), end >= start, start > 0 else { return "" }
        return duration(milliseconds: end - start)
    }

    static func duration(milliseconds: Int64) -> String {
        let seconds = Double(milliseconds) / 1000
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let minutes = Int(seconds) / 60
        if minutes < 60 { return "\(minutes)m \(String(format: "%02d", Int(seconds) % 60))s" }
        return "\(minutes / 60)h \(String(format: "%02d", minutes % 60))m"
    }

    /// A number or numeric string as milliseconds.
    static func millis(_ value: JSONValue?) -> Int64? {
        guard let value else { return nil }
        if let int = value.intValue { return int }
        return value.stringValue.flatMap { Int64($0) }
    }

    /// `key=value` pairs of a `[{"key","value"}]` list, in list order.
    static func pairs(_ list: JSONValue?) -> [(key: String, value: String)] {
        (list?.arrayValue ?? []).compactMap { item in
            guard let key = item["key"]?.stringValue else { return nil }
            return (key, item["value"].map(scalar) ?? "")
        }
    }
}

extension Format {
    /// A date (`2026-12-01`) or date and time (`2026-12-01T08:00:00`, `2026-12-01 08:00`), local
    /// time, as milliseconds since the epoch.
    static func parseDate(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
