import Foundation

/// Wall-clock time in MLflow's unit (milliseconds since the epoch).
public enum Clock {
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
