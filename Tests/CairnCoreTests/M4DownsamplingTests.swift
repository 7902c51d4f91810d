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

    @Test func theReductionKeepsEachBucketsFourPointsWhateverOrderThePointsArriveIn() {
        // Few distinct x and values, so ties are everywhere; `tie` tells equal points apart.
        var generator = SystemRandomNumberGenerator()
        let points = (0..<5_000).map { _ in
            M4Reduction.Point(
                x: Int64.random(in: 0..<400, using: &generator), value: Double(Int.random(in: 0..<30, using: &generator)),
                tie: Int64.random(in: 0..<5, using: &generator))
        }
        func reduce(_ points: [M4Reduction.Point]) -> [M4Reduction.Point] {
            var reduction = M4Reduction(low: 0, high: 399, buckets: 37)
            for point in points { reduction.add(x: point.x, value: point.value, tie: point.tie) }
            return reduction.kept
        }
        let kept = reduce(points)
        #expect(reduce(points.shuffled()) == kept && reduce(points.reversed()) == kept)
        // Each bucket's four roles, found by sorting the bucket's points (the rule's definition).
        var expected: [M4Reduction.Point] = []
        for slot in 0..<37 {
            let members = points.filter { M4Downsampling.bucket($0.x, low: 0, high: 399, buckets: 37) == slot }
            guard !members.isEmpty else { continue }
            let roles = [
                members.min { ($0.x, $0.value, $0.tie) < ($1.x, $1.value, $1.tie) }!,
                members.min { (-$0.x, $0.value, $0.tie) < (-$1.x, $1.value, $1.tie) }!,
                members.min { ($0.value, $0.x, $0.tie) < ($1.value, $1.x, $1.tie) }!,
                members.min { (-$0.value, $0.x, $0.tie) < (-$1.value, $1.x, $1.tie) }!,
            ]
            var distinct: [M4Reduction.Point] = []
            for role in roles where !distinct.contains(where: { $0.x == role.x && $0.value == role.value }) { distinct.append(role) }
            expected += distinct.sorted { ($0.x, $0.value) < ($1.x, $1.value) }
        }
        #expect(kept == expected)
        #expect(reduce(points.map { M4Reduction.Point(x: $0.x, value: .nan, tie: $0.tie) }).isEmpty)
    }
}
