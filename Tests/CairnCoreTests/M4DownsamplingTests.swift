import CairnCore
import Testing

@Suite struct M4DownsamplingTests {
    @Test func eachBucketKeepsItsFirstLastLowestAndHighestPoint() {
        let points: [(step: Int64, value: Double)] = [(0, 5), (1, 9), (2, 1), (3, 4), (4, 7), (5, 3), (6, 6), (7, 2)]
        let kept = M4Downsampling.reduce(points, buckets: 2)
        // Buckets: steps 0-3 (first 5, last 4, lowest 1, highest 9) and 4-7 (first 7 = highest, last 2 = lowest).
        #expect(kept.map(\.step) == [0, 1, 2, 3, 4, 7])
        #expect(kept.map(\.value) == [5, 9, 1, 4, 7, 2])
    }

    @Test func aShortSeriesIsKeptWholeAndNaNIsLeftOut() {
        let points: [(step: Int64, value: Double)] = [(10, 1), (20, .nan), (30, 3)]
        #expect(M4Downsampling.reduce(points, buckets: 100).map(\.step) == [10, 30])
        #expect(M4Downsampling.reduce([], buckets: 10).isEmpty)
    }

    @Test func bucketsNearTheEndsOfInt64DoNotOverflow() {
        #expect(M4Downsampling.bucket(.max, low: .min, high: .max, buckets: 320) == 319)
        #expect(M4Downsampling.bucket(.min, low: .min, high: .max, buckets: 320) == 0)
    }

    @Test func reducingAKeptReductionAgainKeepsTheSeriesExtremes() {
        // 100,000 points with three spikes; reduced to 320 buckets, then to 32 (a compare chart).
        var points: [(step: Int64, value: Double)] = (0..<100_000).map { (Int64($0), 1 / (1 + Double($0) / 1000)) }
        for (step, value) in [(12_345, 50.0), (67_890, -40.0), (99_999, 30.0)] { points[step].value = value }
        let fine = M4Downsampling.reduce(points, buckets: 320)
        let coarse = M4Downsampling.reduce(fine, buckets: 32, x: \.step, value: \.value)
        #expect(coarse.count <= 4 * 32)
        for spike in [12_345, 67_890, 99_999] {
            #expect(coarse.contains { $0.step == Int64(spike) && $0.value == points[spike].value }, "spike at \(spike)")
        }
        #expect(coarse.first?.step == 0 && coarse.last?.step == 99_999)
        // The generic rule over (step, value) pairs is the step rule itself.
        let viaKeyPaths = M4Downsampling.reduce(points, buckets: 320, x: \.step, value: \.value)
        #expect(viaKeyPaths.map(\.step) == fine.map(\.step) && viaKeyPaths.map(\.value) == fine.map(\.value))
    }
}
