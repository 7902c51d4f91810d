import CairnCore

/// How KServe runs an InferenceService: as a plain Deployment (`RawDeployment`, renamed
/// `Standard` in KServe 0.16) or as a Knative Service (`Serverless`, renamed `Knative`).
public enum KServeDeploymentMode: String, Sendable, Hashable {
    /// `RawDeployment` / `Standard`: a child Deployment `<name>-predictor`.
    case standard
    /// `Serverless` / `Knative`: Knative revisions.
    case serverless

    /// The annotation that selects the mode.
    public static let annotation = "serving.kserve.io/deploymentMode"

    /// Reads a mode value, old or new spelling; `nil` for anything else (e.g. `ModelMesh`).
    public init?(value: String) {
        switch value.lowercased() {
        case "rawdeployment", "standard": self = .standard
        case "serverless", "knative": self = .serverless
        default: return nil
        }
    }

    /// The mode of a live InferenceService: its annotation, else `status.deploymentMode`.
    public init?(inferenceService: JSONValue) {
        let value =
            inferenceService["metadata"]?["annotations"]?[Self.annotation]?.stringValue
            ?? inferenceService["status"]?["deploymentMode"]?.stringValue
        guard let value, let mode = KServeDeploymentMode(value: value) else { return nil }
        self = mode
    }
}
