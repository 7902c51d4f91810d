import CairnCore

extension ManifestRenderer {
    /// The name of the volume the model is downloaded into.
    static let modelVolume = "models"

    /// The `Deployment`, `Service` and (when `max_replicas > min_replicas`) `HorizontalPodAutoscaler`
    /// of a `deployment` target.
    func deploymentObjects(_ input: Input, settings: DeploymentSettings) -> [Manifest] {
        let target = input.target
        let name = input.objectName
        // The selector is immutable once created, so it depends on the object name only.
        let selector = ["app.kubernetes.io/name": name]
        let autoscaled = target.maxReplicas > target.minReplicas

        let initEnv: [JSONValue] = settings.s3.environment.map { .fields(["name": .string($0.name), "value": .string($0.value)]) }
        let storageInitializer: JSONValue = .fields([
            "name": "storage-initializer",
            "image": .string(settings.storageInitializerImage),
            "args": .array([.string(input.storageURI), .string(Self.modelMountPath)]),
            "envFrom": settings.s3CredentialsSecret.map { JSONValue.array([.fields(["secretRef": .fields(["name": .string($0)])])]) },
            "env": initEnv.isEmpty ? nil : .array(initEnv),
            "volumeMounts": .array([.fields(["name": .string(Self.modelVolume), "mountPath": .string(Self.modelMountPath)])]),
        ])
        let server: JSONValue = .fields([
            "name": "server",
            "image": .string(settings.image),
            "env": .array([
                .fields(["name": "MODEL_URI", "value": .string(Self.modelMountPath)]),
                .fields(["name": "STORAGE_URI", "value": .string(input.storageURI)]),
            ]),
            "ports": .array([.fields(["name": "http", "containerPort": .int(Int64(settings.port)), "protocol": "TCP"])]),
            "resources": target.resources.isEmpty ? nil : target.resources.manifestValue,
            "volumeMounts": .array([
                .fields(["name": .string(Self.modelVolume), "mountPath": .string(Self.modelMountPath), "readOnly": true])
            ]),
        ])
        var podSpec = schedulingFields(target)
        podSpec.append(.init("initContainers", .array([storageInitializer])))
        podSpec.append(.init("containers", .array([server])))
        podSpec.append(.init("volumes", .array([.fields(["name": .string(Self.modelVolume), "emptyDir": .object([])])])))

        let template: JSONValue = .fields([
            "metadata": .fields([
                "labels": .sortedStrings(podLabels(input).merging(selector) { $1 }),
                "annotations": .sortedStrings(annotations(input)),
            ]),
            "spec": .object(podSpec),
        ])
        // With an autoscaler, spec.replicas belongs to it: Cairn must not own the field.
        let deploymentSpec: JSONValue = .fields([
            "replicas": autoscaled ? nil : .int(Int64(target.minReplicas)),
            "selector": .fields(["matchLabels": .sortedStrings(selector)]),
            "template": template,
        ])
        var manifests = [manifest(.deployment, input, metadata: metadata(input, extraLabels: selector), spec: deploymentSpec)]

        let serviceSpec: JSONValue = .fields([
            "selector": .sortedStrings(selector),
            "ports": .array([.fields(["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"])]),
        ])
        manifests.append(manifest(.service, input, metadata: metadata(input, extraLabels: selector), spec: serviceSpec))

        if autoscaled {
            let hpa = apis.horizontalPodAutoscaler
            let hpaSpec: JSONValue = .fields([
                "scaleTargetRef": .fields([
                    "apiVersion": .string(ResourceType.deployment.apiVersion), "kind": .string(ResourceType.deployment.kind), "name": .string(name),
                ]),
                "minReplicas": .int(Int64(max(target.minReplicas, 1))),
                "maxReplicas": .int(Int64(target.maxReplicas)),
                "metrics": .array([
                    .fields([
                        "type": "Resource",
                        "resource": .fields(["name": "cpu", "target": .fields(["type": "Utilization", "averageUtilization": 80])]),
                    ])
                ]),
            ])
            manifests.append(manifest(hpa, input, metadata: metadata(input, extraLabels: selector), spec: hpaSpec))
        }
        return manifests
    }
}
