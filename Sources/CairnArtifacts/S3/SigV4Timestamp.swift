import CairnCore

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
        let time = UTCDateTime(secondsSince1970: secondsSince1970)
        let pad = UTCDateTime.padded
        basic =
            pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2) + "T" + pad(time.hour, 2) + pad(time.minute, 2) + pad(time.second, 2) + "Z"
    }

    /// The current time.
    public static func now() -> SigV4Timestamp {
        SigV4Timestamp(secondsSince1970: Int64(Date().timeIntervalSince1970))
    }
}
