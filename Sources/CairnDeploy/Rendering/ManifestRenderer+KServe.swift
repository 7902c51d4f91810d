import CairnCore

extension ManifestRenderer {
    /// The `InferenceService` of a `kserve` target.
    func inferenceService(_ input: Input, settings: KServeSettings) -> Manifest {
        let target = input.target
        let model: JSONValue = .fields([
            "modelFormat": .fields(["name": .string(settings.modelFormat)]),
            "runtime": settings.runtime.map(JSONValue.string),
            "protocolVersion": settings.protocolVersion.map { JSONValue.string($0.rawValue) },
            "storageUri": .string(input.storageURI),
            "resources": target.resources.isEmpty ? nil : target.resources.manifestValue,
        ])
        var predictor: [JSONValue.Member] = [
            // KServe copies these onto the predictor's pod template (Deployment or Knative revision).
            .init("labels", .sortedStrings(podLabels(input))),
            .init("annotations", .sortedStrings(annotations(input))),
        ]
        predictor += schedulingFields(target)
        predictor.append(.init("minReplicas", .int(Int64(target.minReplicas))))
        predictor.append(.init("maxReplicas", .int(Int64(target.maxReplicas))))
        predictor.append(.init("model", model))
        let meta = metadata(input, extraAnnotations: [Self.deploymentModeAnnotation: settings.deploymentMode.rawValue])
        return manifest(.inferenceService, input, metadata: meta, spec: .fields(["predictor": .object(predictor)]))
    }

    /// The labels stamped on serving pods: model and version (no managed-by: the pods are not Cairn's).
    func podLabels(_ input: Input) -> [String: String] {
        [Self.modelLabel: KubernetesNames.labelValue(input.model), Self.versionLabel: String(input.version)]
    }
}
