import CairnDeploy
import Testing

/// Every way a targets file can be malformed gives a message naming the target and the field.
@Suite struct TargetsFileErrorTests {
    static let base = "name: t\nkind: kserve\nnamespace: ns\n"
    static let deployment = "name: t\nkind: deployment\nnamespace: ns\nimage: serve:1\n"

    /// (extra YAML lines, field named in the message, a phrase of the message)
    static let cases: [(String, String, String)] = [
        ("min_replicas: two", "min_replicas", "must be a whole number"),
        ("min_replicas: -1", "min_replicas", "must be at least 0"),
        ("max_replicas: 0", "max_replicas", "must be at least 1"),
        ("min_replicas: 3\nmax_replicas: 2", "max_replicas", "must be at least min_replicas"),
        ("ready_timeout: 10", "ready_timeout", "must be a duration"),
        ("ready_timeout: 10d", "ready_timeout", "must be a duration"),
        ("ready_timeout: 0s", "ready_timeout", "must be a duration"),
        ("rollback_on_failure: maybe", "rollback_on_failure", "must be true or false"),
        ("deployment_mode: ModelMesh", "deployment_mode", "must be RawDeployment or Serverless"),
        ("protocol_version: v9", "protocol_version", "must be one of v1, v2, grpc-v1, grpc-v2"),
        ("object_name: Fraud", "object_name", "DNS-1035"),
        ("object_name: 1fraud", "object_name", "DNS-1035"),
        ("object_name: a-very-long-object-name-that-will-not-fit-in-45-chars", "object_name", "at most 45"),
        ("storage_uri_prefix: models", "storage_uri_prefix", "must be a URI"),
        ("alias_on_ready: v3", "alias_on_ready", "not a valid alias"),
        ("webhook_secret_env: 1SECRET", "webhook_secret_env", "environment variable name"),
        ("resources: {requests: {cpu: lots}}", "resources.requests", "invalid quantity \"lots\""),
        ("resources: {limit: {cpu: 1}}", "resources", "unknown key \"limit\""),
        ("resources: [cpu]", "resources", "must be a mapping"),
        ("node_selector: {\"bad key!\": x}", "node_selector", "invalid label key"),
        ("node_selector: {pool: \"no spaces\"}", "node_selector", "invalid label value"),
        ("node_selector: [a]", "node_selector", "must be a mapping"),
        ("tolerations: {key: a}", "tolerations", "must be a list"),
        ("tolerations: [{key: a, operator: Maybe}]", "tolerations[0]", "operator must be Equal or Exists"),
        ("tolerations: [{key: a, effect: Never}]", "tolerations[0]", "effect must be NoSchedule"),
        ("tolerations: [{key: a, colour: red}]", "tolerations[0]", "unknown key \"colour\""),
        ("tolerations: [{operator: Equal, value: x}]", "tolerations[0]", "without a key needs operator Exists"),
        ("tolerations: [{key: a, operator: Exists, value: x}]", "tolerations[0]", "must not have a value"),
        ("tolerations: [{key: a, tolerationSeconds: 5, effect: NoSchedule}]", "tolerations[0]", "needs effect NoExecute"),
        ("service_account: Bad_Account", "service_account", "valid ServiceAccount name"),
        ("image: serve:1", "image", "applies to kind deployment only"),
        ("s3_credentials_secret: s", "s3_credentials_secret", "applies to kind deployment only"),
        ("replicas: 2", "replicas", "is not a known target field"),
        ("runtime: [a, b]", "runtime", "must be a string"),
    ]

    @Test(arguments: TargetsFileErrorTests.cases)
    func kserveTargetErrors(extra: String, field: String, phrase: String) throws {
        let message = try #require(parseError(oneTarget(Self.base + extra)))
        #expect(message.contains("target 't'"), "\(message)")
        #expect(message.contains("field '\(field)'"), "\(message)")
        #expect(message.contains(phrase), "\(message)")
        #expect(message.contains("t.yaml, line "), "\(message)")
    }

    static let deploymentCases: [(String, String, String)] = [
        ("model_format: mlflow", "model_format", "applies to kind kserve only"),
        ("deployment_mode: Serverless", "deployment_mode", "applies to kind kserve only"),
        ("protocol_version: v2", "protocol_version", "applies to kind kserve only"),
        ("min_replicas: 0", "min_replicas", "at least 1 for kind deployment"),
        ("port: 70000", "port", "at most 65535"),
        ("s3_endpoint: http://minio:9000", "s3_endpoint", "without a scheme"),
        ("s3_use_https: sometimes", "s3_use_https", "must be true or false"),
        ("s3_credentials_secret: Bad_Secret", "s3_credentials_secret", "valid Secret name"),
    ]

    @Test(arguments: TargetsFileErrorTests.deploymentCases)
    func deploymentTargetErrors(extra: String, field: String, phrase: String) throws {
        let message = try #require(parseError(oneTarget(Self.deployment + extra)))
        #expect(message.contains("target 't'") && message.contains("field '\(field)'") && message.contains(phrase), "\(message)")
    }

    @Test func requiredFields() throws {
        #expect(parseError(oneTarget("kind: kserve\nnamespace: ns"))?.contains("field 'name' is required") == true)
        #expect(parseError(oneTarget("name: t\nnamespace: ns"))?.contains("target 't'") == true)
        #expect(parseError(oneTarget("name: t\nnamespace: ns"))?.contains("field 'kind' is required") == true)
        #expect(parseError(oneTarget("name: t\nkind: helm\nnamespace: ns"))?.contains("must be kserve or deployment") == true)
        #expect(parseError(oneTarget("name: t\nkind: kserve"))?.contains("field 'namespace' is required") == true)
        #expect(parseError(oneTarget("name: t\nkind: kserve\nnamespace: ML_Prod"))?.contains("DNS-1123") == true)
        #expect(parseError(oneTarget("name: t\nkind: deployment\nnamespace: ns"))?.contains("field 'image' is required") == true)
        #expect(parseError(oneTarget("name: \"a b\"\nkind: kserve\nnamespace: ns"))?.contains("field 'name' must be") == true)
    }

    @Test func fileLevelErrors() throws {
        #expect(parseError("targets: [")?.contains("not valid YAML") == true)
        #expect(parseError("- a\n- b\n")?.contains("must be a mapping with a 'targets' list") == true)
        #expect(parseError("targets: {a: 1}\n")?.contains("field 'targets' must be a list") == true)
        #expect(parseError("targets: []\nextra: 1\n")?.contains("field 'extra' is not a known top-level field") == true)
        #expect(parseError("targets: [3]\n")?.contains("target '#1'") == true)
        let twice = oneTarget(Self.base) + "  - name: t\n    kind: kserve\n    namespace: other\n"
        let message = try #require(parseError(twice))
        #expect(message.contains("target 't'") && message.contains("field 'name' is used twice (first at line 2)"), "\(message)")
        #expect(message.contains("line 5"), "\(message)")
    }

    @Test func duplicateKeysAreRefusedByTheYAMLParser() throws {
        let message = try #require(parseError(oneTarget(Self.base + "min_replicas: 1\nmin_replicas: 2")))
        #expect(message.contains("t.yaml") && message.contains("duplicated key") && message.contains("min_replicas"), "\(message)")
    }

    @Test func theLineIsTheFieldsLine() throws {
        let message = try #require(parseError(oneTarget(Self.base + "min_replicas: x")))
        #expect(message.hasPrefix("targets file t.yaml, line 5: target 't': field 'min_replicas'"), "\(message)")
    }
}
