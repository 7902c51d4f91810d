import CairnCore
import Testing

/// MLflow 3.17.2's texts and rules that Cairn copies (issue 12), measured against `mlflow server`.
@Suite struct MLflowRulesTests {
    @Test(
        arguments: [
            (JSONValue.int(31), "run_id", "Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int'."),
            (.string("abc"), "value", "Invalid value \"abc\" for parameter 'value' supplied:  Hint: Value was of type 'str'."),
            (["a": 1], "metrics", "Invalid value {\"a\":1} for parameter 'metrics' supplied:  Hint: Value was of type 'dict'."),
            (["b", 2], "order_by", "Invalid value [\"b\",2] for parameter 'order_by' supplied:  Hint: Value was of type 'list'."),
            (.double(1.5), "step", "Invalid value 1.5 for parameter 'step' supplied:  Hint: Value was of type 'float'."),
            (.bool(true), "key", "Invalid value true for parameter 'key' supplied:  Hint: Value was of type 'bool'."),
            (.null, "key", "Invalid value null for parameter 'key' supplied:  Hint: Value was of type 'NoneType'."),
        ] as [(JSONValue, String, String)])
    func aWronglyTypedValueIsQuotedAsCompactJSONWithItsPythonType(value: JSONValue, parameter: String, message: String) {
        #expect(MLflowMessages.invalidValue(value, parameter: parameter) == message + MLflowMessages.apiDocsSuffix)
    }

    @Test func aMissingParameterHasMLflowsText() {
        #expect(
            MLflowMessages.missingValue("run_ids")
                == "Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters.")
    }

    @Test(
        arguments: [
            ("rel/dir", "/srv/cairn/rel/dir"),
            ("./rel2", "/srv/cairn/rel2"),
            ("rel/../up", "/srv/cairn/rel/../up"),
            ("file:rel3", "file:///srv/cairn/rel3"),
            ("/abs/dir", "/abs/dir"),
            ("file:///abs", "file:///abs"),
            ("s3://bucket/x", "s3://bucket/x"),
            ("mlflow-artifacts:/x", "mlflow-artifacts:/x"),
        ] as [(String, String)])
    func artifactLocationsAreResolvedAgainstTheWorkingDirectory(raw: String, resolved: String) throws {
        #expect(try ArtifactLocation.resolve(raw, workingDirectory: "/srv/cairn") == resolved)
    }

    @Test(
        arguments: [
            ("runs:/abc/x", "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/x'"),
            ("a#frag", "'artifact_location' URL can't include fragments or params."),
            ("HTTPS://example.com/y", "'artifact_location' cannot use the 'https' scheme"),
            ("ftp://example.com/y", "'artifact_location' cannot use the 'ftp' scheme"),
            ("mlflow-artifacts://host:5000/x", "'artifact_location' cannot use the 'mlflow-artifacts' scheme"),
        ] as [(String, String)])
    func artifactLocationsMLflowRefusesAreRefused(raw: String, message: String) {
        let error = #expect(throws: CairnError.self) { try ArtifactLocation.resolve(raw, workingDirectory: "/srv") }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

    @Test func theModelVersionsTagIsWrittenAsPythonsJSONDumps() {
        let first = RegistryRules.modelVersionsTag(appending: "m", version: 1, to: nil)
        #expect(first == #"[{"name": "m", "version": 1}]"#)
        let second = RegistryRules.modelVersionsTag(appending: "é\"q", version: 2, to: first)
        #expect(second == #"[{"name": "m", "version": 1}, {"name": "\u00e9\"q", "version": 2}]"#)
        #expect(RegistryRules.modelVersionsTag(appending: "m", version: 1, to: second) == second, "a pair is not added twice")
        #expect(RegistryRules.modelVersionsTag(appending: "m", version: 3, to: "not json") == #"[{"name": "m", "version": 3}]"#)
    }

    @Test func promptVersionsAreRecognisedByTheirLastTagAndNeedAPlaceholderSource() throws {
        #expect(RegistryRules.isPrompt([Tag(key: "mlflow.prompt.is_prompt", value: "false"), Tag(key: "mlflow.prompt.is_prompt", value: "TRUE")]))
        #expect(!RegistryRules.isPrompt([Tag(key: "mlflow.prompt.is_prompt", value: "true"), Tag(key: "mlflow.prompt.is_prompt", value: "no")]))
        try RegistryRules.validatePromptSource("dummy-source")
        try RegistryRules.validatePromptSource("prompt-template")
        let error = #expect(throws: CairnError.self) { try RegistryRules.validatePromptSource("s3://b/p") }
        #expect(error?.message == "Invalid prompt source: 's3://b/p'. Prompt sources must use an MLflow placeholder.")
    }

    @Test func aMetricDatasetNeedsBothNameAndDigest() throws {
        try Validator.validateMetricDataset(name: nil, digest: nil)
        try Validator.validateMetricDataset(name: "train", digest: "abc")
        for (name, digest) in [("train", nil), (nil, "abc"), ("train", "")] as [(String?, String?)] {
            let error = #expect(throws: CairnError.self) { try Validator.validateMetricDataset(name: name, digest: digest) }
            #expect(error?.message == "Both dataset_name and dataset_digest must be provided if one is provided")
        }
    }
}
