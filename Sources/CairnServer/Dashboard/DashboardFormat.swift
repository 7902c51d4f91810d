import CairnCore
import Foundation

/// How the dashboard writes values: times in UTC, durations, numbers, sizes, URL parts.
enum DashboardFormat {
    /// `yyyy-MM-dd HH:mm:ss UTC`, computed from the milliseconds (a table of 100 runs writes 100
    /// of them; a `DateFormatter` per call cost more than the page's query).
    static func time(_ millis: Int64?) -> String {
        guard let millis, millis > 0 else { return "" }
        let seconds = millis / 1000
        let (days, second) = (seconds / 86_400, seconds % 86_400)
        // Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count.
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60)) UTC"
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
