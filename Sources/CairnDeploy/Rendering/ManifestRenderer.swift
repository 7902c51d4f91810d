import CairnCore

/// Renders the Kubernetes objects of one promotion: pure, no I/O.
///
/// For a `kserve` target: one `serving.kserve.io/v1beta1` `InferenceService` using
/// `spec.predictor.model` (never the legacy framework keys), with the
/// `serving.kserve.io/deploymentMode` annotation always set. For a `deployment` target: an
/// `apps/v1` `Deployment` whose init container downloads the model into an `emptyDir` at
/// `/mnt/models`, a `v1` `Service`, and a `HorizontalPodAutoscaler` when `max_replicas` is larger
/// than `min_replicas` (`autoscaling/v2` where the cluster serves it, else `autoscaling/v2beta2`).
///
/// Every object carries the labels `cairn.dev/model` and `cairn.dev/version` and the annotation
/// `cairn.dev/deployment-id`; the pods do too (through `spec.predictor.labels`/`annotations` for
/// KServe, which copies them onto the predictor's pod template, and the pod template for a
/// Deployment), so readiness checks can prove the running pods are this deployment's.
public struct ManifestRenderer: Sendable {
    /// Label: the model name, sanitised to label rules.
    public static let modelLabel = "cairn.dev/model"
    /// Label: the version number.
    public static let versionLabel = "cairn.dev/version"
    /// Label: the target name, sanitised.
    public static let targetLabel = "cairn.dev/target"
    /// Annotation: the ledger id of the deployment that rendered the object.
    public static let deploymentIDAnnotation = "cairn.dev/deployment-id"
    /// Annotation: the exact model name (label values cannot hold every name).
    public static let modelNameAnnotation = "cairn.dev/model-name"
    /// KServe's deployment mode annotation.
    public static let deploymentModeAnnotation = "serving.kserve.io/deploymentMode"
    /// Where the model's files are inside serving pods.
    public static let modelMountPath = "/mnt/models"

    /// The API versions the target cluster serves.
    public var apis: DiscoveredAPIs

    /// Creates a renderer for a cluster with the given APIs.
    public init(apis: DiscoveredAPIs = .current) {
        self.apis = apis
    }

    /// What one promotion renders.
    public struct Input: Sendable, Equatable {
        /// The registered model's name.
        public var model: String
        /// The version number.
        public var version: Int64
        /// The URI the pods download the model from (see ``StorageURIResolver``).
        public var storageURI: String
        /// The target.
        public var target: PromotionTarget
        /// The ledger id of this deployment.
        public var deploymentID: String

        /// Creates an input.
        public init(model: String, version: Int64, storageURI: String, target: PromotionTarget, deploymentID: String) {
            self.model = model
            self.version = version
            self.storageURI = storageURI
            self.target = target
            self.deploymentID = deploymentID
        }

        /// The object name: the target's `object_name`, else derived from the model name.
        public var objectName: String { KubernetesNames.objectName(forModel: model, on: target) }
    }

    /// Renders the objects of a promotion, in apply order.
    /// - Throws: `CairnError` (`INVALID_PARAMETER_VALUE`) for an empty model name, storage URI or
    ///   deployment id, or a version below 1.
    public func render(_ input: Input) throws(CairnError) -> [Manifest] {
        guard !input.model.isEmpty else { throw CairnError.invalidParameter("cannot render a deployment without a model name") }
        guard input.version >= 1 else { throw CairnError.invalidParameter("cannot render version \(input.version) of '\(input.model)'") }
        guard !input.storageURI.isEmpty else {
            throw CairnError.invalidParameter("cannot render '\(input.model)' version \(input.version): no storage URI")
        }
        guard !input.deploymentID.isEmpty, input.deploymentID.utf8.count <= 253 else {
            throw CairnError.invalidParameter("a deployment id must be 1-253 characters")
        }
        let name = input.objectName
        guard KubernetesNames.isDNS1035Label(name, maxLength: KubernetesNames.maxObjectNameLength) else {
            throw CairnError.invalidParameter(
                "object name '\(name)' is not a DNS-1035 label of at most \(KubernetesNames.maxObjectNameLength) characters")
        }
        switch input.target.workload {
        case .kserve(let settings): return [inferenceService(input, settings: settings)]
        case .deployment(let settings): return deploymentObjects(input, settings: settings)
        }
    }

    /// Convenience for ``render(_:)``.
    public func render(
        model: String, version: Int64, storageURI: String, target: PromotionTarget, deploymentID: String
    ) throws(CairnError) -> [Manifest] {
        try render(Input(model: model, version: version, storageURI: storageURI, target: target, deploymentID: deploymentID))
    }

    // MARK: shared pieces

    /// The labels every rendered object carries.
    func labels(_ input: Input) -> [String: String] {
        [
            "app.kubernetes.io/managed-by": "cairn",
            Self.modelLabel: KubernetesNames.labelValue(input.model),
            Self.versionLabel: String(input.version),
            Self.targetLabel: KubernetesNames.labelValue(input.target.name),
        ]
    }

    /// The annotations every rendered object carries (and its pods).
    func annotations(_ input: Input) -> [String: String] {
        [Self.deploymentIDAnnotation: input.deploymentID, Self.modelNameAnnotation: input.model]
    }

    func metadata(_ input: Input, extraLabels: [String: String] = [:], extraAnnotations: [String: String] = [:]) -> JSONValue {
        .fields([
            "name": .string(input.objectName),
            "namespace": .string(input.target.namespace),
            "labels": .sortedStrings(labels(input).merging(extraLabels) { $1 }),
            "annotations": .sortedStrings(annotations(input).merging(extraAnnotations) { $1 }),
        ])
    }

    /// Pod scheduling fields shared by both kinds: service account, node selector, tolerations.
    func schedulingFields(_ target: PromotionTarget) -> [JSONValue.Member] {
        var members: [JSONValue.Member] = []
        if let account = target.serviceAccount { members.append(.init("serviceAccountName", .string(account))) }
        if !target.nodeSelector.isEmpty { members.append(.init("nodeSelector", .sortedStrings(target.nodeSelector))) }
        if !target.tolerations.isEmpty { members.append(.init("tolerations", .array(target.tolerations.map(\.manifestValue)))) }
        return members
    }

    func manifest(_ type: ResourceType, _ input: Input, metadata: JSONValue, spec: JSONValue) -> Manifest {
        Manifest(
            type: type, namespace: input.target.namespace, name: input.objectName,
            body: .fields(["apiVersion": .string(type.apiVersion), "kind": .string(type.kind), "metadata": metadata, "spec": spec]))
    }
}
