import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// `runs/search` pages by keyset: on both engines, walking every page gives exactly the runs of
/// one unpaged search in the same order, for orderings with missing, NaN and tied values (metric,
/// param, tag, end time); runs created meanwhile ahead of the cursor do not shift the pages; a
/// token is refused for another search.
@Suite struct RunSearchKeysetTests {
    @Test(arguments: Engine.available)
    func pagesConcatenateToTheUnpagedOrderForEveryKindOfKey(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "keyset-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            var generator = SeededGenerator(seed: 5)
            for index in 0..<57 {
                // Start times repeat (ties broken by run id); some runs lack the metric, param or
                // tag, some have a NaN; values repeat too.
                let run = try await store.createRun(
                    CreateRunRequest(experimentID: experiment, userID: "u", startTime: 1_000 + Int64(index % 7), tags: []))
                let id = run.info.runID
                var metrics: [Metric] = []
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: break
                case 1: metrics.append(Metric(key: "loss", value: .nan, timestamp: 1, step: 0))
                default: metrics.append(Metric(key: "loss", value: Double(Int.random(in: 0..<6, using: &generator)) / 4, timestamp: 1, step: 0))
                }
                let params = index % 3 == 0 ? [] : [Param(key: "lr", value: "0.\(index % 4)")]
                let tags = index % 4 == 0 ? [] : [Tag(key: "team", value: ["a", "b"][index % 2])]
                try await store.logBatch(runID: id, metrics: metrics, params: params, tags: tags)
                if index % 5 == 0 { try await store.updateRun(id: id, status: .finished, endTime: 5_000 + Int64(index % 3), runName: nil) }
            }
            let orders: [[String]] = [
                [], ["metrics.loss ASC"], ["metrics.loss DESC"], ["params.lr DESC", "metrics.loss ASC"], ["tags.team ASC"],
                ["attributes.end_time DESC"], ["attributes.start_time ASC"],
            ]
            for order in orders {
                let all = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], orderBy: order, maxResults: 1000)).items
                #expect(all.count == 57)
                var paged: [String] = []
                var token: String?
                repeat {
                    let page = try await store.searchRuns(
                        RunSearchRequest(experimentIDs: [experiment], orderBy: order, maxResults: 8, pageToken: token))
                    paged += page.items.map(\.info.runID)
                    token = page.nextPageToken
                } while token != nil
                #expect(paged == all.map(\.info.runID), "order \(order)")
                // The runs table pages the same search with only the chosen columns.
                var tabled: [RunTableRow] = []
                token = nil
                repeat {
                    let page = try await store.searchRunTable(
                        RunSearchRequest(experimentIDs: [experiment], orderBy: order, maxResults: 20, pageToken: token),
                        metricKeys: ["loss"], paramKeys: ["lr", "absent"])
                    tabled += page.items
                    token = page.nextPageToken
                } while token != nil
                #expect(tabled.map(\.info.runID) == all.map(\.info.runID))
                for (row, run) in zip(tabled, all) {
                    let loss = run.metrics.first { $0.key == "loss" }?.value
                    #expect(row.metrics["loss"].map { $0.isNaN ? "nan" : "\($0)" } == loss.map { $0.isNaN ? "nan" : "\($0)" })
                    #expect(
                        row.params == Dictionary(run.params.filter { $0.key == "lr" }.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
                }
            }
        }
    }

    /// Ordered by a metric that the filter compares with a number, every run kept has a number
    /// for it, and the search joins on the numbers only (no key for absence): the runs and their
    /// order are the unfiltered search's, less the runs the filter drops, and pages concatenate.
    @Test(arguments: Engine.available)
    func orderingByAMetricTheFilterComparesKeepsTheUnfilteredOrder(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "keyset-m-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            var generator = SeededGenerator(seed: 9)
            for index in 0..<41 {
                let run = try await store.createRun(
                    CreateRunRequest(experimentID: experiment, userID: "u", startTime: 1_000 + Int64(index % 5), tags: []))
                var metrics: [Metric] = []
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: break
                case 1: metrics.append(Metric(key: "loss", value: .nan, timestamp: 1, step: 0))
                default: metrics.append(Metric(key: "loss", value: Double(Int.random(in: 0..<6, using: &generator)) / 4, timestamp: 1, step: 0))
                }
                try await store.logBatch(runID: run.info.runID, metrics: metrics, params: [Param(key: "lr", value: "\(index % 3)")], tags: [])
            }
            // A filter's conditions on the ordered metric test the row joined for the order: the
            // second filter puts two of them on it (runs at exactly 1.0 drop out).
            let filters: [(String, (Double) -> Bool)] = [
                ("metrics.loss >= 0.25 and params.lr != 'x'", { $0 >= 0.25 }),
                ("metrics.loss >= 0.25 and metrics.loss != 1.0 and params.lr != 'x'", { $0 >= 0.25 && $0 != 1 }),
            ]
            for order in [["metrics.loss DESC"], ["metrics.loss ASC"], ["metrics.loss DESC", "params.lr ASC"]] {
                let all = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], orderBy: order, maxResults: 1000)).items
                for (filter, keeps) in filters {
                    let expected = all.filter { run in run.metrics.contains { $0.key == "loss" && !$0.value.isNaN && keeps($0.value) } }
                    #expect(expected.count > 10 && expected.count < 41)
                    var paged: [String] = []
                    var token: String?
                    repeat {
                        let page = try await store.searchRuns(
                            RunSearchRequest(experimentIDs: [experiment], filter: filter, orderBy: order, maxResults: 3, pageToken: token))
                        paged += page.items.map(\.info.runID)
                        token = page.nextPageToken
                    } while token != nil
                    #expect(paged == expected.map(\.info.runID), "order \(order), filter \(filter)")
                }
            }
        }
    }

    @Test(arguments: Engine.available)
    func runsCreatedAheadOfTheCursorDoNotShiftLaterPages(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "cursor-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            for index in 0..<20 {
                _ = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", startTime: Int64(100 + index), tags: []))
            }
            let first = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 10))
            let expected = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 10, pageToken: first.nextPageToken))
            // A newer run sorts first (start time descending): with OFFSET paging it would push
            // the tenth run onto the second page again.
            _ = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", startTime: 10_000, tags: []))
            let second = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 10, pageToken: first.nextPageToken))
            #expect(second.items.map(\.info.runID) == expected.items.map(\.info.runID))
            #expect(Set(second.items.map(\.info.runID)).isDisjoint(with: first.items.map(\.info.runID)))

            await #expect(throws: CairnError.self) {
                _ = try await store.searchRuns(
                    RunSearchRequest(
                        experimentIDs: [experiment], filter: "attributes.status = 'RUNNING'", maxResults: 10, pageToken: first.nextPageToken))
            }
        }
    }
}
