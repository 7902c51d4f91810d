import CairnCore
import CairnStore
import Foundation
import Testing

/// The legacy `log-model` history tag: model JSON is parsed, not pasted, and concurrent appends
/// all survive on both engines.
@Suite struct LoggedModelHistoryTests {
    @Test(arguments: Engine.available)
    func concurrentAppendsAllSurviveAndRawJSONIsRefused(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await store.createRun(CreateRunRequest(experimentID: "0", userID: "u"))
            let id = run.info.runID
            for bad in ["not json", "[1,2]", #"{"a":1}, {"b":2}"#, #"{"a":1}]"#] {
                let error = await #expect(throws: CairnError.self) { try await store.appendLoggedModelHistory(runID: id, modelJSON: bad) }
                #expect(error?.code == .invalidParameterValue, "\(bad)")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await store.appendLoggedModelHistory(runID: id, modelJSON: #"{"artifact_path":"m\#(index)","flavors":{}}"#) }
                }
                try await group.waitForAll()
            }
            let tag = try #require(try await store.run(id: id).tags.first { $0.key == SQLTrackingStore.loggedModelHistoryKey })
            let history = try #require(try JSONSerialization.jsonObject(with: Data(tag.value.utf8)) as? [[String: Any]])
            #expect(Set(history.compactMap { $0["artifact_path"] as? String }) == Set((0..<20).map { "m\($0)" }))
        }
    }
}
