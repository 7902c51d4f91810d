import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// The dashboard's charts read reductions kept in `metric_chart_cache`: on both engines what is
/// read back is exactly what a fresh reduction gives, a write to the series is seen at once,
/// a stale or unreadable row is recomputed, and the time axis and a zoomed range follow the same
/// M4 rule.
@Suite struct MetricChartCacheTests {
    @Test func keptPointsReadBackExactlyAndMalformedTextIsRefused() {
        let points = [
            Metric(key: "loss", value: 0.1 + 0.2, timestamp: 1_700_000_000_123, step: -5, runID: "r"),
            Metric(key: "loss", value: -1.7976931348623157e308, timestamp: 0, step: 9_223_372_036_854_775_807, runID: "r"),
            Metric(key: "loss", value: 5e-324, timestamp: -1, step: 0, runID: "r"),
            Metric(key: "loss", value: 1, timestamp: .min, step: .min, runID: "r"),
        ]
        let decoded = ChartPoints.decode(ChartPoints.encode(points), runID: "r", key: "loss")
        #expect(decoded == points)
        #expect(ChartPoints.decode("", runID: "r", key: "k") == [])
        for bad in ["1,2", "1,x,3", "1,2,3;4", ",2,3", "1,2,3,4", "1,,3", "1;2;3", "9223372036854775808,1,2", "-,1,2"] {
            #expect(ChartPoints.decode(bad, runID: "r", key: "k") == nil, "\(bad)")
        }
    }

    @Test(arguments: Engine.available)
    func keptReductionsMatchFreshOnesAndFollowEveryWrite(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "charts-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            let run = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))
            let id = run.info.runID
            var generator = SeededGenerator(seed: 11)
            // Timestamps run backwards against steps in the second half, so the time axis
            // orders the points differently from the step axis.
            let metrics = (0..<5_000).map { step in
                Metric(
                    key: "loss", value: Double.random(in: 0...1, using: &generator),
                    timestamp: step < 2_500 ? 10_000 + Int64(step) : 20_000 - Int64(step), step: Int64(step))
            }
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                try await store.logBatch(runID: id, metrics: Array(metrics[chunk..<chunk + 1000]), params: [], tags: [])
            }
            let loss = SeriesKey(runID: id, key: "loss")
            let fresh = try await store.metricSeriesDownsampled(runID: id, key: "loss", buckets: 50)
            let first = try await store.metricCharts([loss], axis: .step, buckets: 50)
            let kept = try await store.metricCharts([loss], axis: .step, buckets: 50)
            #expect(first[loss].map(Self.triples) == Self.triples(fresh))
            #expect(kept[loss].map(Self.triples) == Self.triples(fresh))
            #expect(try await Self.cachedRows(store) == 1)

            // A write drops the kept reduction; the next read has the new point (a spike).
            try await store.logBatch(
                runID: id, metrics: [Metric(key: "loss", value: 99, timestamp: 30_000, step: 2_000)], params: [], tags: [])
            #expect(try await Self.cachedRows(store) == 0)
            let after = try await store.metricCharts([loss], axis: .step, buckets: 50)
            #expect(after[loss]?.contains { $0.step == 2_000 && $0.value == 99 } == true)

            // A row older than the series' newest point (a write that raced the computation) or
            // one that cannot be read is recomputed, not used.
            try await store.database.execute("UPDATE metric_chart_cache SET points = '1,5,1', newest_timestamp = 1", [])
            #expect(try await store.metricCharts([loss], axis: .step, buckets: 50)[loss].map(Self.triples) == after[loss].map(Self.triples))
            try await store.database.execute("UPDATE metric_chart_cache SET points = 'not points'", [])
            #expect(try await store.metricCharts([loss], axis: .step, buckets: 50)[loss].map(Self.triples) == after[loss].map(Self.triples))

            // The time axis: the M4 rule over timestamps.
            let all = metrics + [Metric(key: "loss", value: 99, timestamp: 30_000, step: 2_000)]
            let byTime = try await store.metricCharts([loss], axis: .time, buckets: 40)
            let reference = M4Downsampling.reduce(all.map { ($0.timestamp, $0.value) }, buckets: 40)
            #expect(byTime[loss]?.map(\.timestamp) == reference.map(\.step))
            #expect(byTime[loss]?.map(\.value) == reference.map(\.value))

            // A zoomed range: only its points, re-bucketed, and nothing kept for it.
            let rows = try await Self.cachedRows(store)
            let zoomed = try await store.metricCharts([loss], axis: .step, buckets: 10, range: 1_000...1_199)
            let inRange = all.filter { (1_000...1_199).contains($0.step) }
            let zoomReference = M4Downsampling.reduce(inRange.map { ($0.step, $0.value) }, buckets: 10)
            #expect(zoomed[loss]?.map(\.step) == zoomReference.map(\.step))
            #expect(try await Self.cachedRows(store) == rows)

            // Series that do not exist are absent.
            #expect(try await store.metricCharts([SeriesKey(runID: id, key: "missing")], axis: .step, buckets: 10).isEmpty)

            // A batch of several series drops the kept reductions of each it writes, the charted
            // one second in the batch (PostgreSQL's batch statement binds their ids on their own).
            _ = try await store.metricCharts([loss], axis: .step, buckets: 50)
            #expect(try await Self.cachedRows(store) > 0)
            try await store.logBatch(
                runID: id,
                metrics: [
                    Metric(key: "acc", value: 1, timestamp: 30_001, step: 1), Metric(key: "loss", value: -5, timestamp: 30_001, step: 2_001),
                    Metric(key: "acc", value: 2, timestamp: 30_002, step: 2),
                ], params: [], tags: [])
            #expect(try await Self.cachedRows(store) == 0)
            let afterBatch = try await store.metricCharts([loss], axis: .step, buckets: 50)
            #expect(afterBatch[loss]?.contains { $0.step == 2_001 && $0.value == -5 } == true)
        }
    }

    static func triples(_ points: [Metric]) -> [String] { points.map { "\($0.step) \($0.value) \($0.timestamp)" } }

    static func cachedRows(_ store: SQLTrackingStore) async throws -> Int64 {
        try await store.database.query("SELECT COUNT(*) FROM metric_chart_cache", [])[0].int(0)
    }
}
