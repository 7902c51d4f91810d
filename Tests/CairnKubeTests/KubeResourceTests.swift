import CairnCore
import Testing

@testable import CairnKube

@Suite struct KubeResourceTests {
    @Test(arguments: [
        (KubeResource.inferenceService, "/apis/serving.kserve.io/v1beta1/namespaces/ml-prod/inferenceservices/fraud"),
        (KubeResource.deployment, "/apis/apps/v1/namespaces/ml-prod/deployments/fraud"),
        (KubeResource.service, "/api/v1/namespaces/ml-prod/services/fraud"),
        (KubeResource.horizontalPodAutoscalerV2, "/apis/autoscaling/v2/namespaces/ml-prod/horizontalpodautoscalers/fraud"),
        (KubeResource.horizontalPodAutoscalerV2beta2, "/apis/autoscaling/v2beta2/namespaces/ml-prod/horizontalpodautoscalers/fraud"),
        (
            KubeResource(group: "example.com", version: "v1alpha1", plural: "widgets", kind: "Widget"),
            "/apis/example.com/v1alpha1/namespaces/ml-prod/widgets/fraud"
        ),
    ])
    func objectPaths(resource: KubeResource, path: String) throws {
        #expect(try resource.path(namespace: "ml-prod", name: "fraud") == path)
    }

    @Test func clusterScopedIgnoresTheNamespace() throws {
        #expect(try KubeResource.namespace.path(namespace: "ignored", name: "ml-prod") == "/api/v1/namespaces/ml-prod")
    }

    @Test func knownKindsAtAnyVersion() {
        #expect(KubeResource.known(apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService") == .inferenceService)
        #expect(KubeResource.known(apiVersion: "autoscaling/v2beta2", kind: "HorizontalPodAutoscaler") == .horizontalPodAutoscalerV2beta2)
        #expect(KubeResource.known(apiVersion: "v1", kind: "ConfigMap") == .configMap)
        #expect(KubeResource.known(apiVersion: "example.com/v1", kind: "Widget") == nil)
        #expect(KubeResource.split(apiVersion: "v1") == ("", "v1"))
        #expect(KubeResource.split(apiVersion: "apps/v1") == ("apps", "v1"))
    }

    @Test(arguments: ["", "../x", "a/b", "Upper", "a?b=c", String(repeating: "a", count: 254)])
    func badNamesAreRefused(name: String) {
        let error = #expect(throws: KubeError.self) { try KubeResource.service.path(namespace: "ml", name: name) }
        #expect(error?.code == .invalidManifest)
    }

    @Test func namespacedWithoutNamespaceIsRefused() {
        #expect(throws: KubeError.self) { try KubeResource.service.path(namespace: nil, name: "x") }
    }

    @Test func discoveryOfAKubernetes120Server() throws {
        let core: JSONValue = ["kind": "APIVersions", "versions": ["v1"]]
        let groups: JSONValue = [
            "kind": "APIGroupList",
            "groups": [
                [
                    "name": "apps", "versions": [["groupVersion": "apps/v1", "version": "v1"]],
                    "preferredVersion": ["groupVersion": "apps/v1", "version": "v1"],
                ],
                [
                    "name": "autoscaling",
                    "versions": [
                        ["groupVersion": "autoscaling/v1", "version": "v1"], ["groupVersion": "autoscaling/v2beta1", "version": "v2beta1"],
                        ["groupVersion": "autoscaling/v2beta2", "version": "v2beta2"],
                    ],
                    "preferredVersion": ["groupVersion": "autoscaling/v1", "version": "v1"],
                ],
            ],
        ]
        let resources = try ServerResources.parse(coreVersions: core, groups: groups)
        #expect(resources.serves("v1") && resources.serves("apps/v1") && resources.serves("autoscaling/v2beta2"))
        #expect(!resources.serves("autoscaling/v2"))
        #expect(resources.horizontalPodAutoscaler == .horizontalPodAutoscalerV2beta2)
        #expect(resources.preferredVersions["autoscaling"] == "v1")
        #expect(resources.firstServed(["autoscaling/v2", "autoscaling/v2beta2"]) == "autoscaling/v2beta2")

        let current = ServerResources(groupVersions: ["v1", "autoscaling/v2", "autoscaling/v2beta2"])
        #expect(current.horizontalPodAutoscaler == .horizontalPodAutoscalerV2)
    }

    @Test func resourceListSkipsSubresources() throws {
        let list: JSONValue = [
            "kind": "APIResourceList", "groupVersion": "example.com/v1",
            "resources": [
                ["name": "widgets", "kind": "Widget", "namespaced": true], ["name": "widgets/status", "kind": "Widget", "namespaced": true],
                ["name": "gizmos", "kind": "Gizmo", "namespaced": false],
            ],
        ]
        let resources = ServerResources.parseResourceList(list, apiVersion: "example.com/v1")
        #expect(resources.map(\.plural) == ["widgets", "gizmos"])
        #expect(resources.last?.namespaced == false)
        let discovered = ServerResources(groupVersions: ["example.com/v1"], resources: ["example.com/v1": resources])
        let gizmo = try #require(discovered.resource(apiVersion: "example.com/v1", kind: "Gizmo"))
        #expect(try gizmo.path(namespace: nil, name: "g") == "/apis/example.com/v1/gizmos/g")
    }
}
