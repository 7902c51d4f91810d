/// The M4 rule for drawing a long series on a few hundred pixel columns (Jugel et al., "M4: A
/// Visualization-Oriented Time Series Data Aggregation", VLDB 2014): split the step range into
/// equal buckets and keep, per bucket, four points: at its first and at its last step (the
/// smallest value there, when a step holds several), and the earliest with its smallest and with
/// its largest value. A line through them is pixel-identical to the line through every
/// point, so no spike disappears (MLflow keeps the first point of each bucket, and spikes vanish).
///
/// The stores read a series' points in index order, a chunk at a time, into an ``M4Reduction``.
/// (They used to compute the rule in SQL, joining the points to per-bucket aggregates; on
/// PostgreSQL a series the planner's statistics had not seen yet was estimated at one row, the
/// joins became nested loops, and a 50,000-point chart ran into the statement timeout.)
public enum M4Downsampling {
    /// The bucket of `step` among `buckets` equal buckets over `low...high` (0-based), computed in
    /// floating point, so steps near the ends of Int64 cannot overflow.
    @inlinable
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
    /// shares one budget of points without reading the series again. Points with equal x and
    /// value are told apart by their position (the earlier is kept).
    @inlinable
    public static func reduce<Point>(
        _ points: [Point], buckets: Int, x: (Point) -> Int64, value: (Point) -> Double
    ) -> [Point] {
        let xs = points.map(x), values = points.map(value)
        let kept = points.indices.filter { !values[$0].isNaN }
        guard let low = kept.lazy.map({ xs[$0] }).min(), let high = kept.lazy.map({ xs[$0] }).max() else { return [] }
        var reduction = M4Reduction(low: low, high: high, buckets: buckets)
        for index in kept { reduction.add(x: xs[index], value: values[index], tie: Int64(index)) }
        return reduction.kept.map { points[Int($0.tie)] }
    }
}
