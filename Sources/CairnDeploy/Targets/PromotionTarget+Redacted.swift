extension PromotionTarget {
    /// The target as JSON for `GET /api/cairn/v1/targets`: every setting under its file name, with
    /// defaults filled in, and no secrets (`webhook_secret_env` is left out; only whether a
    /// target-specific webhook secret is configured is shown, as `webhook_secret_configured`).
    public var redacted: ManifestValue {
        var members: [ManifestValue.Member] = [
            .init("name", .string(name)),
            .init("kind", .string(kind.rawValue)),
            .init("namespace", .string(namespace)),
        ]
        func add(_ key: String, _ value: ManifestValue?) {
            if let value { members.append(.init(key, value)) }
        }
        add("kubeconfig", cluster.kubeconfig.map(ManifestValue.string))
        add("context", cluster.context.map(ManifestValue.string))
        add("object_name", objectName.map(ManifestValue.string))
        switch workload {
        case .kserve(let settings):
            add("deployment_mode", .string(settings.deploymentMode.rawValue))
            add("model_format", .string(settings.modelFormat))
            add("runtime", settings.runtime.map(ManifestValue.string))
            add("protocol_version", settings.protocolVersion.map { ManifestValue.string($0.rawValue) })
        case .deployment(let settings):
            add("image", .string(settings.image))
            add("storage_initializer_image", .string(settings.storageInitializerImage))
            add("s3_credentials_secret", settings.s3CredentialsSecret.map(ManifestValue.string))
            add("s3_endpoint", settings.s3.endpoint.map(ManifestValue.string))
            add("s3_use_https", settings.s3.useHTTPS.map(ManifestValue.bool))
            add("s3_region", settings.s3.region.map(ManifestValue.string))
            add("s3_verify_ssl", settings.s3.verifySSL.map(ManifestValue.bool))
            add("port", .int(settings.port))
        }
        add("service_account", serviceAccount.map(ManifestValue.string))
        add("resources", resources.manifestValue)
        add("node_selector", .sortedStrings(nodeSelector))
        add("tolerations", .array(tolerations.map(\.manifestValue)))
        add("min_replicas", .int(minReplicas))
        add("max_replicas", .int(maxReplicas))
        add("storage_uri_prefix", storageURIPrefix.map(ManifestValue.string))
        if !allowedStoragePrefixes.isEmpty { add("allowed_storage_prefixes", .array(allowedStoragePrefixes.map(ManifestValue.string))) }
        add("alias_on_ready", aliasOnReady.map(ManifestValue.string))
        add("ready_timeout", .string(TargetDuration.format(readyTimeout)))
        add("ready_timeout_seconds", .int(Int(readyTimeout.components.seconds)))
        add("rollback_on_failure", .bool(rollbackOnFailure))
        add("webhook_secret_configured", .bool(webhookSecretEnv != nil))
        return .object(members)
    }
}

extension ResourceRequirements {
    /// `{requests: {...}, limits: {...}}` with keys sorted and quantities as strings; empty sections
    /// are left out.
    public var manifestValue: ManifestValue {
        func section(_ map: [String: Quantity]) -> ManifestValue? {
            map.isEmpty ? nil : .sortedStrings(map.mapValues(\.text))
        }
        return .fields(["requests": section(requests), "limits": section(limits)])
    }
}
