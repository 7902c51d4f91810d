/// Settings of a `kind: kserve` target.
public struct KServeSettings: Sendable, Equatable {
    /// KServe's deployment mode, written to the `serving.kserve.io/deploymentMode` annotation.
    public var deploymentMode: DeploymentMode
    /// `spec.predictor.model.modelFormat.name`, e.g. `mlflow`.
    public var modelFormat: String
    /// `spec.predictor.model.runtime` (a ServingRuntime name); KServe auto-selects when `nil`.
    public var runtime: String?
    /// `spec.predictor.model.protocolVersion`.
    public var protocolVersion: ProtocolVersion?

    /// Creates settings; the defaults are RawDeployment and the `mlflow` format.
    public init(
        deploymentMode: DeploymentMode = .rawDeployment, modelFormat: String = "mlflow", runtime: String? = nil,
        protocolVersion: ProtocolVersion? = nil
    ) {
        self.deploymentMode = deploymentMode
        self.modelFormat = modelFormat
        self.runtime = runtime
        self.protocolVersion = protocolVersion
    }

    /// KServe's deployment modes. The annotation is written with the pre-0.16 names, which every
    /// KServe release accepts (0.16 and later normalise them to `Standard` and `Knative`).
    public enum DeploymentMode: String, Sendable, CaseIterable {
        /// Plain Deployments (KServe ≥ 0.16 calls it `Standard`).
        case rawDeployment = "RawDeployment"
        /// Knative Services (KServe ≥ 0.16 calls it `Knative`).
        case serverless = "Serverless"

        /// Parses a file value; KServe's newer names `Standard` and `Knative` are accepted too.
        public init?(fileValue: String) {
            switch fileValue {
            case "RawDeployment", "Standard": self = .rawDeployment
            case "Serverless", "Knative": self = .serverless
            default: return nil
            }
        }
    }

    /// The inference protocol versions KServe knows.
    public enum ProtocolVersion: String, Sendable, CaseIterable {
        /// KServe's V1 REST protocol.
        case v1
        /// The Open Inference Protocol over REST (the only one `kserve-mlserver` serves).
        case v2
        /// V1 over gRPC.
        case grpcV1 = "grpc-v1"
        /// The Open Inference Protocol over gRPC.
        case grpcV2 = "grpc-v2"
    }
}
