import CairnDeploy
import Testing

@Suite struct KubernetesNamesTests {
    @Test(arguments: [
        ("fraud-detector", "fraud-detector"),
        ("Fraud Detector", "fraud-detector"),
        ("fraud_detector", "fraud-detector"),
        ("  --Fraud__Detector v2!! ", "fraud-detector-v2"),
        ("ResNet50.onnx", "resnet50-onnx"),
        ("7-eleven", "m-7-eleven"),
        ("Ünïcode módel", "n-code-m-del"),
        ("___", "m"),
    ])
    func derivedNames(model: String, expected: String) {
        #expect(KubernetesNames.objectName(forModel: model) == expected)
        #expect(KubernetesNames.isDNS1035Label(KubernetesNames.objectName(forModel: model), maxLength: 45))
    }

    @Test func longNamesAreCutWithAHashOfTheFullName() {
        let a = KubernetesNames.objectName(forModel: String(repeating: "very-long-model-name-", count: 4) + "a")
        let b = KubernetesNames.objectName(forModel: String(repeating: "very-long-model-name-", count: 4) + "b")
        #expect(a.count <= 45 && b.count <= 45)
        #expect(a != b)
        #expect(a.hasPrefix("very-long-model-name-very-long-model"))
        #expect(KubernetesNames.isDNS1035Label(a, maxLength: 45) && KubernetesNames.isDNS1035Label(b, maxLength: 45))
        // Stable across runs: the same input gives the same name.
        #expect(a == KubernetesNames.objectName(forModel: String(repeating: "very-long-model-name-", count: 4) + "a"))
    }

    @Test func objectNameOfTheTargetWins() {
        var target = PromotionTarget(name: "t", namespace: "ns", workload: .kserve(KServeSettings()))
        #expect(KubernetesNames.objectName(forModel: "Fraud", on: target) == "fraud")
        target.objectName = "scorer"
        #expect(KubernetesNames.objectName(forModel: "Fraud", on: target) == "scorer")
    }

    @Test func collisionsOnOneTarget() {
        var target = PromotionTarget(name: "t", namespace: "ns", workload: .kserve(KServeSettings()))
        #expect(KubernetesNames.collision(model: "fraud_detector", target: target, deployedModels: ["Fraud Detector", "churn"]) == "Fraud Detector")
        #expect(KubernetesNames.collision(model: "fraud_detector", target: target, deployedModels: ["fraud_detector", "churn"]) == nil)
        #expect(KubernetesNames.collision(model: "churn", target: target, deployedModels: ["fraud"]) == nil)
        target.objectName = "scorer"
        #expect(KubernetesNames.collision(model: "churn", target: target, deployedModels: ["fraud"]) == "fraud")
    }

    @Test(arguments: [
        ("fraud-detector", "fraud-detector"),
        ("Fraud Detector", "Fraud-Detector"),
        ("-_.x.y_-", "x.y"),
        ("models/fraud@v2", "models-fraud-v2"),
        ("", ""),
        ("!!!", ""),
        (String(repeating: "a", count: 70), String(repeating: "a", count: 63)),
        (String(repeating: "a", count: 62) + "-b", String(repeating: "a", count: 62)),
    ])
    func labelValues(raw: String, expected: String) {
        #expect(KubernetesNames.labelValue(raw) == expected)
        #expect(KubernetesNames.isLabelValue(KubernetesNames.labelValue(raw)))
    }

    @Test func validators() {
        #expect(KubernetesNames.isDNS1035Label("a-1"))
        #expect(!KubernetesNames.isDNS1035Label("1a") && !KubernetesNames.isDNS1035Label("a-") && !KubernetesNames.isDNS1035Label("A"))
        #expect(KubernetesNames.isDNS1123Label("1a") && !KubernetesNames.isDNS1123Label("a_b"))
        #expect(KubernetesNames.isDNS1123Subdomain("models-s3.creds") && !KubernetesNames.isDNS1123Subdomain("a..b"))
        #expect(KubernetesNames.isQualifiedName("nvidia.com/gpu.product") && KubernetesNames.isQualifiedName("pool"))
        #expect(!KubernetesNames.isQualifiedName("/x") && !KubernetesNames.isQualifiedName("a b") && !KubernetesNames.isQualifiedName("Bad_Prefix/x"))
        #expect(Quantity("500m") != nil && Quantity("2Gi") != nil && Quantity("1e3") != nil && Quantity("0.5") != nil)
        #expect(Quantity("lots") == nil && Quantity("1GB") == nil && Quantity("") == nil && Quantity(".") == nil)
    }
}
