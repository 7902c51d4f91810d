import CairnCore
import Foundation

/// How the dashboard writes values: times in UTC, durations, numbers, sizes, URL parts.
enum DashboardFormat {
    /// `yyyy-MM-dd HH:mm:ss UTC` (a table of 100 runs writes 100 of them; a `DateFormatter` per
    /// call cost more than the page's query).
    static func time(_ millis: Int64?) -> String {
        guard let millis, millis > 0 else { return "" }
        let time = UTCDateTime(secondsSince1970: millis / 1000)
        let pad = UTCDateTime.padded
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2)) \(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2)) UTC"
    }

    static func duration(_ start: Int64, _ end: Int64?) -> String {
        guard let end, end >= start, start > 0 else { return "" }
        let seconds = Double(end - start) / 1000
        if seconds < 60 { return DecimalText.fixed(seconds, decimals: 1) + "s" }
        let minutes = Int(seconds) / 60
        if minutes < 60 { return "\(minutes)m \(Int(seconds) % 60)s" }
        return "\(minutes / 60)h \(minutes % 60)m"
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "-∞" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return DecimalText.significant(value)
    }

    /// A comma-separated list from the URL, empty entries dropped.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A path segment or query value with everything but unreserved characters percent-encoded.
    static func pathComponent(_ text: String) -> String {
        PercentEncoding.encodeComponent(text)
    }

    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(pathComponent($0.0))=\(pathComponent($0.1))" }.joined(separator: "&")
    }

    /// A ledger entry as the templates show it.
    static func deployment(_ deployment: Deployment) -> [String: Any] {
        [
            "id": deployment.id, "model": deployment.model, "version": deployment.version, "target": deployment.target,
            "status": deployment.status.rawValue, "message": deployment.message, "actor": deployment.actor,
            "created": time(deployment.createdAt), "updated": time(deployment.updatedAt),
            "ready": deployment.status == .ready, "failed": deployment.status == .failed || deployment.status == .rolledBack,
            "inFlight": [.pending, .applying, .waiting].contains(deployment.status),
            "previous": deployment.previousDeploymentID ?? "",
            "modelLink": "/models/\(pathComponent(deployment.model))",
        ]
    }
}
