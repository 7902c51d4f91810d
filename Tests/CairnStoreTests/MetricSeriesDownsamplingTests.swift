import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// The dashboard's charts read series reduced by the M4 rule in the database: on both engines the
/// store keeps exactly the points of the reference (``CairnCore/M4Downsampling``), at most four per
/// bucket, and every spike of a 100,000-point series survives.
@Suite struct MetricSeriesDownsamplingTests {
    @Test(arguments: Engine.available)
    func theStoreKeepsTheReferencePointsAndEverySpike(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "m4-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            let run = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))
            var generator = SeededGenerator(seed: 7)
            var spikes: [Int64: Double] = [:]
            var metrics: [Metric] = []
            for step in 0..<100_000 {
                var value = sin(Double(step) / 700) + Double.random(in: -0.05...0.05, using: &generator)
                if Int.random(in: 0..<5_000, using: &generator) == 0 {
                    value = Bool.random(using: &generator) ? 50 : -50
                    spikes[Int64(step)] = value
                }
                metrics.append(Metric(key: "loss", value: value, timestamp: 1_000 + Int64(step), step: Int64(step)))
            }
            metrics.append(Metric(key: "loss", value: .nan, timestamp: 1, step: 500))
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                try await store.logBatch(
                    runID: run.info.runID, metrics: Array(metrics[chunk..<min(chunk + 1000, metrics.count)]), params: [], tags: [])
            }
            #expect(spikes.count > 5)
            for buckets in [1, 7, 320, 1000] {
                let kept = try await store.metricSeriesDownsampled(runID: run.info.runID, key: "loss", buckets: buckets)
                let reference = M4Downsampling.reduce(metrics.map { ($0.step, $0.value) }, buckets: buckets)
                #expect(kept.map(\.step) == reference.map(\.step), "\(buckets) buckets: the steps differ from the reference")
                #expect(kept.map(\.value) == reference.map(\.value), "\(buckets) buckets: the values differ from the reference")
                #expect(kept.count <= 4 * buckets)
                // Read in chunks that end mid-bucket, the same points come back.
                let chunked = try await store.metricSeriesDownsampled(runID: run.info.runID, key: "loss", buckets: buckets, chunkSize: 7_777)
                #expect(chunked.map(\.step) == kept.map(\.step) && chunked.map(\.value) == kept.map(\.value), "\(buckets) buckets, chunked")
                #expect(!kept.contains { $0.value.isNaN })
                // A spike survives when its bucket (its pixel column, at 320 buckets and more) still
                // reaches the spike's value: two spikes in one column draw as one.
                if buckets >= 320 {
                    func bucket(_ step: Int64) -> Int { M4Downsampling.bucket(step, low: 0, high: 99_999, buckets: buckets) }
                    for (step, value) in spikes {
                        #expect(
                            kept.contains { bucket($0.step) == bucket(step) && $0.value == value },
                            "the spike at step \(step) vanished at \(buckets) buckets")
                    }
                }
            }
            #expect(try await store.metricSeriesDownsampled(runID: run.info.runID, key: "missing", buckets: 10).isEmpty)
            await #expect(throws: CairnError.self) { try await store.metricSeriesDownsampled(runID: run.info.runID, key: "loss", buckets: 0) }
        }
    }
}

extension MetricSeriesDownsamplingTests {
    /// The table's statistics may predate a series: autovacuum analyzed `metric_points` while it
    /// held only another run's points, so PostgreSQL estimates the new series at one row. Its
    /// chart is read as quickly as any other. (When the rule was computed in SQL, that estimate
    /// turned its joins into nested loops and a 50,000-point chart ran past the 10 s statement
    /// timeout: the dashboard answered 400.)
    @Test(arguments: Engine.available)
    func aSeriesNewerThanTheTablesStatisticsIsReducedAsQuickly(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "m4-stats-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            func logSeries(_ runID: String) async throws {
                for start in stride(from: 0, to: 30_000, by: 1000) {
                    let metrics = (start..<start + 1000).map {
                        Metric(key: "loss", value: exp(-Double($0) / 2000), timestamp: 1_700_000_000_000 + Int64($0), step: Int64($0))
                    }
                    try await store.logBatch(runID: runID, metrics: metrics, params: [], tags: [])
                }
            }
            let analyzed = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))
            try await logSeries(analyzed.info.runID)
            try await store.database.execute("ANALYZE metric_points")
            let fresh = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))
            try await logSeries(fresh.info.runID)
            let series = SeriesKey(runID: fresh.info.runID, key: "loss")
            let clock = ContinuousClock()
            for axis in [ChartAxis.step, .time] {
                var charts: [SeriesKey: [Metric]] = [:]
                let elapsed = try await clock.measure { charts = try await store.metricCharts([series], axis: axis, buckets: 320) }
                #expect(elapsed < .seconds(5), "\(axis): \(elapsed)")
                let reference = M4Downsampling.reduce((0..<30_000).map { (Int64($0), exp(-Double($0) / 2000)) }, buckets: 320)
                #expect(charts[series]?.map(\.step) == reference.map(\.step), "\(axis)")
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failure reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// `count` letters and digits drawn from this generator: text that no compression shortens
    /// much (a long value that must not fit an index entry by being compressible).
    mutating func letters(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &self)] })
    }
}
