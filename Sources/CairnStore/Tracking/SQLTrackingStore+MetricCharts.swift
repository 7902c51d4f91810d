import CairnCore

/// What a chart's x axis measures.
public enum ChartAxis: Int64, Sendable {
    /// The step (MLflow's default x).
    case step = 0
    /// The timestamp: wall-clock time, or time since the run started.
    case time = 1
}

/// One metric of one run: a line on a chart.
public struct SeriesKey: Hashable, Sendable {
    public var runID: String
    public var key: String

    public init(runID: String, key: String) {
        self.runID = runID
        self.key = key
    }
}

extension SQLTrackingStore {
    /// The M4 reductions of several series for charts (see ``metricSeriesDownsampled(runID:key:buckets:)``),
    /// kept in `metric_chart_cache` (migration 0011) so that a chart of a long series costs one
    /// row read, not a pass over its points. A reduction is used while the series' newest
    /// timestamp is the one it was computed at and no write has dropped it; otherwise it is
    /// computed again (up to 8 at once) and stored. A `range` (a zoomed chart) is always computed
    /// from the points in it and not stored. Series that do not exist are absent from the result.
    public func metricCharts(_ series: [SeriesKey], axis: ChartAxis, buckets: Int, range: ClosedRange<Int64>? = nil) async throws
        -> [SeriesKey: [Metric]]
    {
        guard !series.isEmpty else { return [:] }
        guard (1...10_000).contains(buckets) else { throw CairnError.invalidParameter("buckets must be between 1 and 10000") }
        let wanted = Set(series.map { ExactSeries($0) })
        var lookup = SQLBuilder(
            "SELECT s.run_uuid, s.key, s.series_id, (SELECT MAX(timestamp) FROM metric_points p WHERE p.series_id = s.series_id), ",
            dialect: dialect)
        lookup.append("c.newest_timestamp, c.points FROM metric_series s LEFT JOIN metric_chart_cache c ON c.series_id = s.series_id AND c.axis = ")
        lookup.append("\(lookup.bind(.int(axis.rawValue))) AND c.buckets = \(lookup.bind(.int(Int64(buckets)))) WHERE ")
        lookup.append(lookup.inList("s.run_uuid", texts: Array(Set(series.map(\.runID))).sorted()))
        lookup.append(" AND " + lookup.inList("s.key", texts: Array(Set(series.map(\.key))).sorted()))
        var result: [SeriesKey: [Metric]] = [:]
        var missing: [(SeriesKey, seriesID: Int64, newest: Int64?)] = []
        for row in try await database.query(lookup) {
            let key = SeriesKey(runID: row.string(0), key: row.string(1))
            guard wanted.contains(ExactSeries(key)) else { continue }
            let newest = row[3].int
            if range == nil, let cached = row[5].text, let cachedNewest = row[4].int, cachedNewest == newest,
                let points = ChartPoints.decode(cached, runID: key.runID, key: key.key)
            {
                result[key] = points
            } else {
                missing.append((key, row.int(2), newest))
            }
        }
        let computed = try await withThrowingTaskGroup(of: (SeriesKey, [Metric]).self) { group in
            var done: [(SeriesKey, [Metric])] = []
            var pending = missing.makeIterator()
            func start(_ item: (SeriesKey, seriesID: Int64, newest: Int64?)) {
                group.addTask {
                    var builder = SQLBuilder(dialect: dialect)
                    let id = builder.bind(.int(item.seriesID))
                    let points = try await reduced(
                        series: id, builder: builder, runID: item.0.runID, key: item.0.key, axis: axis, buckets: buckets, range: range)
                    if range == nil, let newest = item.newest {
                        try await store(points, seriesID: item.seriesID, axis: axis, buckets: buckets, newest: newest)
                    }
                    return (item.0, points)
                }
            }
            for _ in 0..<8 {
                guard let item = pending.next() else { break }
                start(item)
            }
            while let finished = try await group.next() {
                done.append(finished)
                if let item = pending.next() { start(item) }
            }
            return done
        }
        for (key, points) in computed { result[key] = points }
        return result
    }

    /// Keeps a reduction; a concurrent reader's row for the same chart is replaced.
    private func store(_ points: [Metric], seriesID: Int64, axis: ChartAxis, buckets: Int, newest: Int64) async throws {
        try await database.execute(
            """
            INSERT INTO metric_chart_cache (series_id, axis, buckets, newest_timestamp, points) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (series_id, axis, buckets) DO UPDATE SET newest_timestamp = excluded.newest_timestamp, points = excluded.points
            """,
            [.int(seriesID), .int(axis.rawValue), .int(Int64(buckets)), .int(newest), .text(ChartPoints.encode(points))])
    }
}

/// A series told apart by its bytes, as the database tells keys apart (``ExactKey``).
private struct ExactSeries: Hashable {
    let runID: String
    let key: ExactKey

    init(_ series: SeriesKey) {
        runID = series.runID
        key = ExactKey(series.key)
    }
}

/// The text form of a stored reduction: `step,value,timestamp` per point, `;` between points.
/// Values are written in Swift's shortest round-tripping form, so a read gives back the exact
/// doubles.
enum ChartPoints {
    static func encode(_ points: [Metric]) -> String {
        points.map { "\($0.step),\($0.value),\($0.timestamp)" }.joined(separator: ";")
    }

    /// The points, or nil when the text is not such a list (then the reduction is recomputed).
    /// Read field by field from the UTF-8 bytes (a compare page decodes 200 of these lists, a
    /// quarter of a million points: splitting into substrings first cost most of its time).
    static func decode(_ text: String, runID: String, key: String) -> [Metric]? {
        if text.isEmpty { return [] }
        var points: [Metric] = []
        var text = text
        return text.withUTF8 { bytes -> [Metric]? in
            var index = 0
            // The text up to `terminator` (which must follow when `required`), or nil.
            func field(_ terminator: UInt8, required: Bool) -> String? {
                let start = index
                while index < bytes.count, bytes[index] != terminator { index += 1 }
                if index == start || (required && index == bytes.count) { return nil }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1  // past the terminator
                return text
            }
            // An integer field, read digit by digit with its sign (so Int64.min fits), or nil.
            func integer(_ terminator: UInt8, required: Bool) -> Int64? {
                let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
                var position = negative ? index + 1 : index
                let digitsStart = position
                var result: Int64 = 0
                while position < bytes.count, bytes[position] != terminator {
                    let digit = bytes[position] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    let (times10, overflow) = result.multipliedReportingOverflow(by: 10)
                    let (next, carry) =
                        negative ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
                    guard !overflow, !carry else { return nil }
                    result = next
                    position += 1
                }
                if position == digitsStart || (required && position == bytes.count) { return nil }
                index = position + 1
                return result
            }
            let (comma, semicolon) = (UInt8(ascii: ","), UInt8(ascii: ";"))
            points.reserveCapacity(bytes.count / 24)
            while index < bytes.count {
                guard let step = integer(comma, required: true), let value = field(comma, required: true).flatMap({ Double($0) }),
                    let timestamp = integer(semicolon, required: false)
                else { return nil }
                points.append(Metric(key: key, value: value, timestamp: timestamp, step: step, runID: runID))
            }
            return points
        }
    }
}
