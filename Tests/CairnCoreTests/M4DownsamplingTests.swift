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
}
