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
    /// shares one budget of points without reading the series again. One pass over the points in
    /// x order (sorted first when they are not), so a compare page's 250,000 kept points cost
    /// milliseconds.
    @inlinable
    public static func reduce<Point>(
        _ points: [Point], buckets: Int, x: (Point) -> Int64, value: (Point) -> Double
    ) -> [Point] {
        // Indices into `points`, with their x and value read once (the points themselves may be
        // large structs: they are only copied into the result).
        let xs = points.map(x), values = points.map(value)
        var order = points.indices.filter { !values[$0].isNaN }
        guard buckets > 0, !order.isEmpty else { return [] }
        if order.indices.dropFirst().contains(where: { xs[order[$0 - 1]] > xs[order[$0]] }) { order.sort { xs[$0] < xs[$1] } }
        let low = xs[order[0]], high = xs[order[order.count - 1]]
        var kept: [Point] = []
        var start = 0
        while start < order.count {
            let current = bucket(xs[order[start]], low: low, high: high, buckets: buckets)
            // Each role's index: the smallest value at the first and at the last x, the earliest
            // point with the smallest and with the largest value.
            var (first, last, lowest, highest) = (order[start], order[start], order[start], order[start])
            var end = start + 1
            while end < order.count, bucket(xs[order[end]], low: low, high: high, buckets: buckets) == current {
                let index = order[end]
                if xs[index] == xs[first], values[index] < values[first] { first = index }
                if xs[index] > xs[last] || values[index] < values[last] { last = index }
                if values[index] < values[lowest] { lowest = index }
                if values[index] > values[highest] { highest = index }
                end += 1
            }
            var chosen: [Int] = []
            for index in [first, last, lowest, highest] where !chosen.contains(where: { xs[$0] == xs[index] && values[$0] == values[index] }) {
                chosen.append(index)
            }
            chosen.sort { (xs[$0], values[$0]) < (xs[$1], values[$1]) }
            kept += chosen.map { points[$0] }
            start = end
        }
        return kept
    }
}
