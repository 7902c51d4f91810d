import CairnCore
import CairnDeploy
import Foundation
import Testing

/// The example targets file shipped as a test resource (every field of issue 5's example).
func exampleTargetsYAML() throws -> String {
    let url = try #require(Bundle.module.url(forResource: "targets", withExtension: "yaml", subdirectory: "Resources"))
    return try String(contentsOf: url, encoding: .utf8)
}

func exampleTargets() throws -> TargetsFile {
    try TargetsFile.parse(try exampleTargetsYAML(), source: "targets.yaml")
}

/// A minimal target file with one entry made of `fields` (YAML lines, indented by the helper).
func oneTarget(_ fields: String) -> String {
    "targets:\n  - " + fields.split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "\n    ") + "\n"
}

/// The error message of a parse that must fail.
func parseError(_ yaml: String) -> String? {
    do {
        _ = try TargetsFile.parse(yaml, source: "t.yaml")
        return nil
    } catch {
        return error.message
    }
}

/// A lookup table standing in for the tracking store's artifact locations.
struct TableLocations: ArtifactLocations {
    var runs: [String: String] = [:]
    var models: [String: String] = [:]
    func runArtifactURI(runID: String) async throws -> String? { runs[runID] }
    func loggedModelArtifactLocation(modelID: String) async throws -> String? { models[modelID] }
}
