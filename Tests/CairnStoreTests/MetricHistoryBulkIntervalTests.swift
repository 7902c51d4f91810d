import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// `get-history-bulk-interval` samples in the database: the points it returns are exactly those
/// of MLflow's rule (``SQLTrackingStore/sampledRows(count:maxResults:)``: rows in (step,
/// timestamp, value) order, the first of each NTILE bucket, the last row kept), the step range is
/// honoured, runs come back in the order given (a repeated id twice, as in MLflow) and an unknown
/// run has no points.
@Suite struct MetricHistoryBulkIntervalTests {
    @Test(arguments: Engine.available)
    func samplingInTheDatabaseKeepsMLflowsRows(engine: Engine) async throws {
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
            let ordered = metrics.sorted { ($0.step, $0.timestamp, $0.value) < ($1.step, $1.timestamp, $1.value) }
            func expected(_ rows: [Metric], _ maxResults: Int) -> [Int64] {
                SQLTrackingStore.sampledRows(count: rows.count, maxResults: maxResults).map { rows[$0].timestamp }
            }
            for maxResults in [1, 2, 10, 320, 996, 997, 1138, 1139, 2500] {
                let points = try await store.metricHistoryBulkInterval(
                    runIDs: [run.info.runID, run.info.runID], key: "loss", startStep: nil, endStep: nil, maxResults: maxResults)
                let one = expected(ordered, maxResults)
                #expect(points.map(\.timestamp) == one + one, "max_results \(maxResults)")
                #expect(points.count == 2 * min(maxResults, ordered.count))
            }
            #expect(SQLTrackingStore.sampledRows(count: 5, maxResults: 1) == [4])
            #expect(SQLTrackingStore.sampledRows(count: 5, maxResults: 2) == [0, 4])
            #expect(SQLTrackingStore.sampledRows(count: 5, maxResults: 3) == [0, 2, 4])
            let ranged = try await store.metricHistoryBulkInterval(runIDs: [run.info.runID], key: "loss", startStep: 100, endStep: 400, maxResults: 5)
            #expect(ranged.map(\.timestamp) == expected(ordered.filter { (100...400).contains($0.step) }, 5))
            let unknown = try await store.metricHistoryBulkInterval(
                runIDs: [String(repeating: "f", count: 32)], key: "loss", startStep: nil, endStep: nil, maxResults: 5)
            #expect(unknown.isEmpty)
        }
    }
}
