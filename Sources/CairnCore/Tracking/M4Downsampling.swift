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
        let finite = points.filter { !$0.value.isNaN }
        guard let low = finite.map(\.step).min(), let high = finite.map(\.step).max(), buckets > 0 else { return [] }
        var groups: [Int: [(step: Int64, value: Double)]] = [:]
        for point in finite { groups[bucket(point.step, low: low, high: high, buckets: buckets), default: []].append(point) }
        var kept: [(step: Int64, value: Double)] = []
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let firstStep = group.map(\.step).min()!, lastStep = group.map(\.step).max()!
            let lowest = group.map(\.value).min()!, highest = group.map(\.value).max()!
            let roles: [(step: Int64, value: Double)] = [
                (firstStep, group.filter { $0.step == firstStep }.map(\.value).min()!),
                (lastStep, group.filter { $0.step == lastStep }.map(\.value).min()!),
                (group.filter { $0.value == lowest }.map(\.step).min()!, lowest),
                (group.filter { $0.value == highest }.map(\.step).min()!, highest),
            ]
            var chosen: [(step: Int64, value: Double)] = []
            for point in roles where !chosen.contains(where: { $0.step == point.step && $0.value == point.value }) {
                chosen.append(point)
            }
            kept += chosen.sorted { ($0.step, $0.value) < ($1.step, $1.value) }
        }
        return kept
    }
}
