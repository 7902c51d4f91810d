import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// `get-history-bulk-interval` samples in the database: the steps it returns are exactly those
/// of the reference rule (``SQLTrackingStore/sampledSteps(_:maxResults:)``), every point of a
/// chosen step comes back, the step range is honoured, and a run id named twice is read once.
@Suite struct MetricHistoryBulkIntervalTests {
    @Test(arguments: Engine.available)
    func samplingInTheDatabaseKeepsTheReferenceStepsAndDropsDuplicateRuns(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "bulk-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            let run = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))
            // 997 distinct steps, uneven gaps, two points on every seventh step.
            let steps = (0..<997).map { Int64($0 * 3 + $0 % 5) }
            var metrics: [Metric] = []
            for (index, step) in steps.enumerated() {
                metrics.append(Metric(key: "loss", value: Double(index), timestamp: 1_000 + Int64(index), step: step))
                if index % 7 == 0 { metrics.append(Metric(key: "loss", value: -Double(index), timestamp: 5_000 + Int64(index), step: step)) }
            }
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                try await store.logBatch(
                    runID: run.info.runID, metrics: Array(metrics[chunk..<min(chunk + 1000, metrics.count)]), params: [], tags: [])
            }
            for maxResults in [1, 2, 10, 320, 996, 997, 2500] {
                let points = try await store.metricHistoryBulkInterval(
                    runIDs: [run.info.runID, run.info.runID], key: "loss", startStep: nil, endStep: nil, maxResults: maxResults)
                let expected = SQLTrackingStore.sampledSteps(steps.sorted(), maxResults: maxResults)
                #expect(Set(points.map(\.step)) == expected, "max_results \(maxResults)")
                let perStep = Dictionary(grouping: metrics, by: \.step)
                #expect(points.count == expected.reduce(0) { $0 + perStep[$1]!.count }, "max_results \(maxResults): duplicates or missing points")
                #expect(points.map(\.step) == points.map(\.step).sorted())
            }
            let ranged = try await store.metricHistoryBulkInterval(runIDs: [run.info.runID], key: "loss", startStep: 100, endStep: 400, maxResults: 5)
            let inRange = steps.filter { (100...400).contains($0) }.sorted()
            #expect(Set(ranged.map(\.step)) == SQLTrackingStore.sampledSteps(inRange, maxResults: 5))
        }
    }
}
