#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A signing time in UTC, rendered as SigV4 wants it (`20150830T123600Z`, scope day `20150830`).
public struct SigV4Timestamp: Sendable, Hashable {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    public let basic: String
    /// `yyyyMMdd`.
    public var day: String { String(basic.prefix(8)) }

    /// - Parameter secondsSince1970: Unix time in seconds.
    public init(secondsSince1970: Int64) {
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86400 : (secondsSince1970 - 86399) / 86400
        let secondsOfDay = secondsSince1970 - days * 86400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let dayOfMonth = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        basic =
            pad(year, 4) + pad(month, 2) + pad(dayOfMonth, 2) + "T" + pad(secondsOfDay / 3600, 2) + pad(secondsOfDay % 3600 / 60, 2)
            + pad(secondsOfDay % 60, 2) + "Z"
    }

    /// The current time.
    public static func now() -> SigV4Timestamp {
        SigV4Timestamp(secondsSince1970: Int64(Date().timeIntervalSince1970))
    }
}
