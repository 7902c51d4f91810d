import CairnCore

extension PromotionTarget {
    /// The target as JSON for `GET /api/cairn/v1/targets`: every setting under its file name, with
    /// defaults filled in, and no secrets (`webhook_secret_env` is left out; only whether a
    /// target-specific webhook secret is configured is shown, as `webhook_secret_configured`).
    public var redacted: JSONValue {
        var members: [JSONValue.Member] = [
            .init("name", .string(name)),
            .init("kind", .string(kind.rawValue)),
            .init("namespace", .string(namespace)),
        ]
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append(.init(key, value)) }
        }
        add("kubeconfig", cluster.kubeconfig.map(JSONValue.string))
        add("context", cluster.context.map(JSONValue.string))
        add("object_name", objectName.map(JSONValue.string))
        switch workload {
        case .kserve(let settings):
            add("deployment_mode", .string(settings.deploymentMode.rawValue))
            add("model_format", .string(settings.modelFormat))
            add("runtime", settings.runtime.map(JSONValue.string))
            add("protocol_version", settings.protocolVersion.map { JSONValue.string($0.rawValue) })
        case .deployment(let settings):
            add("image", .string(settings.image))
            add("storage_initializer_image", .string(settings.storageInitializerImage))
            add("s3_credentials_secret", settings.s3CredentialsSecret.map(JSONValue.string))
            add("s3_endpoint", settings.s3.endpoint.map(JSONValue.string))
            add("s3_use_https", settings.s3.useHTTPS.map(JSONValue.bool))
            add("s3_region", settings.s3.region.map(JSONValue.string))
            add("s3_verify_ssl", settings.s3.verifySSL.map(JSONValue.bool))
            add("port", .int(Int64(settings.port)))
        }
        add("service_account", serviceAccount.map(JSONValue.string))
        add("resources", resources.manifestValue)
        add("node_selector", .sortedStrings(nodeSelector))
        add("tolerations", .array(tolerations.map(\.manifestValue)))
        add("min_replicas", .int(Int64(minReplicas)))
        add("max_replicas", .int(Int64(maxReplicas)))
        add("storage_uri_prefix", storageURIPrefix.map(JSONValue.string))
        if !allowedStoragePrefixes.isEmpty { add("allowed_storage_prefixes", .array(allowedStoragePrefixes.map(JSONValue.string))) }
        add("alias_on_ready", aliasOnReady.map(JSONValue.string))
        add("ready_timeout", .string(TargetDuration.format(readyTimeout)))
        add("ready_timeout_seconds", .int(readyTimeout.components.seconds))
        add("rollback_on_failure", .bool(rollbackOnFailure))
        add("webhook_secret_configured", .bool(webhookSecretEnv != nil))
        return .object(members)
    }
}

extension ResourceRequirements {
    /// `{requests: {...}, limits: {...}}` with keys sorted and quantities as strings; empty sections
    /// are left out.
    public var manifestValue: JSONValue {
        func section(_ map: [String: Quantity]) -> JSONValue? {
            map.isEmpty ? nil : .sortedStrings(map.mapValues(\.text))
        }
        return .fields(["requests": section(requests), "limits": section(limits)])
    }
}
