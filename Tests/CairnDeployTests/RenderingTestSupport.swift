import CairnCore
import CairnDeploy
import Testing

/// Renders `model` version `version` to the example target `targetName`.
func renderExample(
    _ targetName: String, model: String = "Fraud Detector", version: Int64 = 7, apis: DiscoveredAPIs = .current,
    edit: (inout PromotionTarget) -> Void = { _ in }
) throws -> [Manifest] {
    var target = try #require(try exampleTargets().target(named: targetName))
    edit(&target)
    return try ManifestRenderer(apis: apis).render(
        model: model, version: version, storageURI: "s3://models/1/abc/artifacts/model", target: target, deploymentID: "dep-0001")
}

extension JSONValue {
    /// Labels or annotations as a dictionary.
    var stringMap: [String: String] {
        guard case .object(let members) = self else { return [:] }
        return Dictionary(uniqueKeysWithValues: members.compactMap { member in member.value.stringValue.map { (member.key, $0) } })
    }
}
