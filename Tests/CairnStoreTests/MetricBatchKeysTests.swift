import CairnCore
import Testing

@testable import CairnStore

/// A batch's keys are found once each: every point's key index names its own key (by bytes),
/// validation sees each key's first point, and the latest point per key follows MLflow's rule
/// exactly as a lookup per point did, whatever order the batch lists its keys in.
@Suite struct MetricBatchKeysTests {
    static func point(_ key: String, step: Int64, timestamp: Int64 = 0, value: Double = 0) -> Metric {
        Metric(key: key, value: value, timestamp: timestamp, step: step)
    }

    @Test func aRepeatingOrderIsIndexedByFirstAppearance() {
        let metrics = (0..<4).flatMap { step in ["b", "a", "c"].map { Self.point($0, step: Int64(step)) } }
        let keys = MetricBatchKeys(metrics)
        #expect(keys.keys.map(\.text) == ["b", "a", "c"])
        #expect(keys.keyIndex == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(keys.firstPoint == [0, 1, 2])
        #expect(keys.perPoint([10, 20, 30]) == [10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30])
    }

    /// "Å" as U+00C5 and as U+212B are equal Swift strings but two keys in the database.
    @Test func keysAreToldApartByTheirBytesInAnyOrder() {
        let metrics = ["\u{00C5}", "x", "\u{212B}", "\u{212B}", "x", "\u{00C5}", "y", "\u{00C5}"].enumerated().map {
            Self.point($0.element, step: Int64($0.offset))
        }
        let keys = MetricBatchKeys(metrics)
        #expect(keys.keys.map { Array($0.text.utf8) } == ["\u{00C5}", "x", "\u{212B}", "y"].map { Array($0.utf8) })
        #expect(keys.keyIndex == [0, 1, 2, 2, 1, 0, 3, 0])
        #expect(keys.firstPoint == [0, 1, 2, 6])
        for (point, metric) in metrics.enumerated() {
            #expect(Array(keys.keys[keys.keyIndex[point]].text.utf8) == Array(metric.key.utf8))
        }
    }

    @Test func anEmptyBatchHasNoKeys() {
        let keys = MetricBatchKeys([])
        #expect(keys.keys.isEmpty && keys.keyIndex.isEmpty && keys.firstPoint.isEmpty)
        #expect(keys.latestPoints([]).isEmpty)
    }

    /// The rule as it was written before, one dictionary lookup per point: the reference.
    static func referenceLatest(_ metrics: [Metric]) -> [Metric] {
        var latest: [ExactKey: Metric] = [:]
        for metric in metrics where latest[ExactKey(metric.key)].map({ metric.isLater(than: $0) }) ?? true {
            latest[ExactKey(metric.key)] = metric
        }
        return latest.keys.sorted().map { latest[$0]! }
    }

    /// Random batches over few keys (two of them canonically equal), steps, timestamps and
    /// values that tie often, NaN among them.
    @Test func latestPointsMatchALookupPerPoint() {
        var generator = SeededGenerator(seed: 17)
        let names = ["loss", "acc", "\u{00C5}", "\u{212B}", "lr", ""]
        let values: [Double] = [0, 1, -1, .nan, 0.5, .greatestFiniteMagnitude]
        for _ in 0..<300 {
            let count = Int.random(in: 1...60, using: &generator)
            let metrics = (0..<count).map { _ in
                Metric(
                    key: names.randomElement(using: &generator)!, value: values.randomElement(using: &generator)!,
                    timestamp: Int64.random(in: 0...3, using: &generator), step: Int64.random(in: 0...3, using: &generator))
            }
            let got = MetricBatchKeys(metrics).latestPoints(metrics)
            let want = Self.referenceLatest(metrics)
            #expect(got.map { Array($0.key.utf8) } == want.map { Array($0.key.utf8) })
            let render = { (points: [Metric]) in points.map { "\($0.step) \($0.timestamp) \($0.value.bitPattern)" } }
            #expect(render(got) == render(want))
        }
    }
}
