/// The M4 rule for drawing a long series on a few hundred pixel columns (Jugel et al., "M4: A
/// Visualization-Oriented Time Series Data Aggregation", VLDB 2014): split the step range into
/// equal buckets and keep, per bucket, four points: at its first and at its last step (the
/// smallest value there, when a step holds several), and the earliest with its smallest and with
/// its largest value. A line through them is pixel-identical to the line through every
/// point, so no spike disappears (MLflow keeps the first point of each bucket, and spikes vanish).
///
/// The stores compute the same rule in SQL (so only the kept points leave the database); this is
/// the reference it is tested against, and what in-memory series use.
public enum M4Downsampling {
    /// The bucket of `step` among `buckets` equal buckets over `low...high` (0-based), computed in
    /// floating point as the SQL does, so steps near the ends of Int64 cannot overflow.
    public static func bucket(_ step: Int64, low: Int64, high: Int64, buckets: Int) -> Int {
        let width = Double(high) - Double(low) + 1
        return min(buckets - 1, Int(((Double(step) - Double(low)) * Double(buckets) / width).rounded(.down)))
    }

    /// At most four points per bucket of `points` (in step order), NaN values left out.
    public static func reduce(_ points: [(step: Int64, value: Double)], buckets: Int) -> [(step: Int64, value: Double)] {
        reduce(points, buckets: buckets, x: \.step, value: \.value)
    }

    /// The same rule over any point type, bucketed by `x` (a step or a timestamp). Applied to
    /// points an M4 reduction already kept, with fewer buckets, it keeps every spike of the
    /// original series that is still the extreme of its wider bucket: how a chart of many lines
    /// shares one budget of points without reading the series again.
    public static func reduce<Point>(
        _ points: [Point], buckets: Int, x: (Point) -> Int64, value: (Point) -> Double
    ) -> [Point] {
        let finite = points.filter { !value($0).isNaN }
        guard let low = finite.map(x).min(), let high = finite.map(x).max(), buckets > 0 else { return [] }
        var groups: [Int: [Point]] = [:]
        for point in finite { groups[bucket(x(point), low: low, high: high, buckets: buckets), default: []].append(point) }
        var kept: [Point] = []
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let firstStep = group.map(x).min()!, lastStep = group.map(x).max()!
            let lowest = group.map(value).min()!, highest = group.map(value).max()!
            // Each role's point: the smallest value at the first and at the last x, the earliest
            // point with the smallest and with the largest value.
            func earliest(where matches: (Point) -> Bool) -> Point {
                group.filter(matches).min { (x($0), value($0)) < (x($1), value($1)) }!
            }
            let roles = [
                earliest { x($0) == firstStep }, earliest { x($0) == lastStep },
                earliest { value($0) == lowest }, earliest { value($0) == highest },
            ]
            var chosen: [Point] = []
            for point in roles where !chosen.contains(where: { x($0) == x(point) && value($0) == value(point) }) {
                chosen.append(point)
            }
            kept += chosen.sorted { (x($0), value($0)) < (x($1), value($1)) }
        }
        return kept
    }
}
