import Foundation
import NIOConcurrencyHelpers

/// A token bucket per API token: `perSecond` requests a second, bursts up to twice that.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    private let rate: Double
    private let capacity: Double
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    init(perSecond: Int) {
        self.rate = Double(perSecond)
        self.capacity = Double(perSecond * 2)
    }

    /// Takes one request from `key`'s bucket: nil when allowed, else the seconds to wait.
    func acquire(_ key: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        buckets.withLockedValue { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updatedAt: now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
