/// Where runs and logged models keep their artifacts: the part of the tracking store the storage
/// URI rule needs. `CairnServer` adapts its store to it; tests give a table.
public protocol ArtifactLocations: Sendable {
    /// The artifact URI of run `runID` (e.g. `mlflow-artifacts:/1/<run>/artifacts`), `nil` when
    /// there is no such run.
    func runArtifactURI(runID: String) async throws -> String?
    /// The artifact location of logged model `modelID` (e.g. `mlflow-artifacts:/1/models/m-…/artifacts`),
    /// `nil` when there is no such model.
    func loggedModelArtifactLocation(modelID: String) async throws -> String?
}
