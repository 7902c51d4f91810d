/// The M4 rule (``M4Downsampling``) applied to points as they arrive, in any order, over a known
/// x range: four candidates per bucket, so a series of any length is reduced in memory
/// proportional to the buckets, not to the points (a store reads a long series a chunk at a time).
///
/// Per bucket it keeps the smallest value at the first x, the smallest value at the last x, the
/// smallest value at its earliest x and the largest value at its earliest x. Points with equal x
/// and value are told apart by the smaller `tie` (the stores pass the other axis; in-memory
/// series their position), so the result does not depend on the order the points arrive in.
public struct M4Reduction: Sendable {
    /// A point as the reduction sees it.
    public struct Point: Sendable, Equatable {
        public var x: Int64
        public var value: Double
        public var tie: Int64

        @inlinable
        public init(x: Int64, value: Double, tie: Int64) {
            (self.x, self.value, self.tie) = (x, value, tie)
        }
    }

    @usableFromInline let low: Int64
    @usableFromInline let high: Int64
    @usableFromInline var first: [Point?]
    @usableFromInline var last: [Point?]
    @usableFromInline var lowest: [Point?]
    @usableFromInline var highest: [Point?]

    /// A reduction into `buckets` equal buckets over `low...high` (points outside are clamped into
    /// the first or last bucket; at least one bucket).
    @inlinable
    public init(low: Int64, high: Int64, buckets: Int) {
        (self.low, self.high) = (low, max(low, high))
        first = Array(repeating: nil, count: max(1, buckets))
        (last, lowest, highest) = (first, first, first)
    }

    /// Offers one point; NaN values are left out.
    @inlinable
    public mutating func add(x: Int64, value: Double, tie: Int64) {
        guard !value.isNaN else { return }
        let point = Point(x: x, value: value, tie: tie)
        let slot = Swift.max(0, M4Downsampling.bucket(x, low: low, high: high, buckets: first.count))
        guard let f = first[slot], let l = last[slot], let lo = lowest[slot], let hi = highest[slot] else {
            (first[slot], last[slot], lowest[slot], highest[slot]) = (point, point, point, point)
            return
        }
        if (x, value, tie) < (f.x, f.value, f.tie) { first[slot] = point }
        if x > l.x || (x == l.x && (value, tie) < (l.value, l.tie)) { last[slot] = point }
        if (value, x, tie) < (lo.value, lo.x, lo.tie) { lowest[slot] = point }
        if value > hi.value || (value == hi.value && (x, tie) < (hi.x, hi.tie)) { highest[slot] = point }
    }

    /// The kept points in (x, value) order: per bucket its candidates, one per distinct (x, value).
    @inlinable
    public var kept: [Point] {
        var kept: [Point] = []
        for slot in first.indices {
            guard let f = first[slot], let l = last[slot], let lo = lowest[slot], let hi = highest[slot] else { continue }
            var chosen: [Point] = []
            for point in [f, l, lo, hi] where !chosen.contains(where: { $0.x == point.x && $0.value == point.value }) {
                chosen.append(point)
            }
            chosen.sort { ($0.x, $0.value) < ($1.x, $1.value) }
            kept += chosen
        }
        return kept
    }
}
