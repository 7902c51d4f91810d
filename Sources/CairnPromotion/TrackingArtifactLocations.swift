import CairnCore
import CairnDeploy
import CairnStore

/// The storage URI rule's view of the tracking store: where a run's and a logged model's
/// artifacts live. An id that does not exist is `nil` (the resolver turns it into a warning).
struct TrackingArtifactLocations: ArtifactLocations {
    let store: any TrackingStore

    func runArtifactURI(runID: String) async throws -> String? {
        do {
            return try await store.runInfo(id: runID).artifactURI
        } catch let error as CairnError where error.code == .resourceDoesNotExist {
            return nil
        }
    }

    func loggedModelArtifactLocation(modelID: String) async throws -> String? {
        do {
            return try await store.loggedModel(id: modelID).artifactLocation
        } catch let error as CairnError where error.code == .resourceDoesNotExist {
            return nil
        }
    }
}
