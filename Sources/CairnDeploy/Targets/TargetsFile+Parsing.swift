import CairnCore
import Yams

extension TargetsFile {
    /// Parses one entry of `targets:`.
    static func parseTarget(_ node: Node, index: Int, source: String) throws(CairnError) -> PromotionTarget {
        guard case .mapping(let mapping) = node else {
            throw error(source: source, target: "#\(index + 1)", field: "targets", "entries must be mappings", at: node)
        }
        let provisionalName = mapping["name"]?.scalar?.string ?? "#\(index + 1)"
        var r = TargetFieldReader(source: source, target: provisionalName, mapping: mapping)

        let name = try r.requiredString("name")
        guard name.utf8.count <= 63,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            })
        else { throw r.error("name", "must be 1-63 characters of letters, digits, '-', '_' or '.', got \"\(name)\"") }
        guard let kindText = try r.string("kind") else { throw r.error("kind", "is required (kserve or deployment)") }
        guard let kind = PromotionTarget.Kind(rawValue: kindText) else {
            throw r.error("kind", "must be kserve or deployment, got \"\(kindText)\"")
        }
        let namespace = try r.requiredString("namespace")
        guard KubernetesNames.isDNS1123Label(namespace) else {
            throw r.error("namespace", "must be a DNS-1123 label (lowercase letters, digits, '-'; at most 63), got \"\(namespace)\"")
        }

        let workload: PromotionTarget.Workload
        switch kind {
        case .kserve: workload = .kserve(try parseKServe(&r))
        case .deployment: workload = .deployment(try parseDeployment(&r))
        }
        var target = PromotionTarget(name: name, namespace: namespace, workload: workload)
        target.cluster = ClusterReference(kubeconfig: try r.string("kubeconfig"), context: try r.string("context"))
        if let objectName = try r.string("object_name") {
            guard KubernetesNames.isDNS1035Label(objectName, maxLength: KubernetesNames.maxObjectNameLength) else {
                throw r.error(
                    "object_name",
                    "must be a DNS-1035 label of at most \(KubernetesNames.maxObjectNameLength) characters "
                        + "(a lowercase letter first, then lowercase letters, digits, '-'), got \"\(objectName)\""
                )
            }
            target.objectName = objectName
        }
        if let account = try r.string("service_account") {
            guard KubernetesNames.isDNS1123Subdomain(account) else {
                throw r.error("service_account", "must be a valid ServiceAccount name, got \"\(account)\"")
            }
            target.serviceAccount = account
        }
        target.resources = try parseResources(&r)
        for (key, value, node) in try r.stringMap("node_selector") {
            guard KubernetesNames.isQualifiedName(key) else { throw r.error("node_selector", "has an invalid label key \"\(key)\"", at: node) }
            guard KubernetesNames.isLabelValue(value) else {
                throw r.error("node_selector", "has an invalid label value \"\(value)\" for \"\(key)\"", at: node)
            }
            target.nodeSelector[key] = value
        }
        target.tolerations = try parseTolerations(&r)
        target.minReplicas = try r.int("min_replicas", minimum: 0) ?? 1
        target.maxReplicas = try r.int("max_replicas", minimum: 1) ?? max(target.minReplicas, 1)
        guard target.maxReplicas >= target.minReplicas else {
            throw r.error("max_replicas", "must be at least min_replicas (\(target.minReplicas)), got \(target.maxReplicas)")
        }
        if target.minReplicas == 0, kind == .deployment {
            throw r.error("min_replicas", "must be at least 1 for kind deployment (scale to zero needs KServe Serverless)")
        }
        if let prefix = try r.string("storage_uri_prefix") {
            guard let scheme = prefix.firstRange(of: "://"), scheme.lowerBound != prefix.startIndex,
                prefix[scheme.upperBound...].contains(where: { $0 != "/" })
            else { throw r.error("storage_uri_prefix", "must be a URI with a scheme and a location, e.g. s3://models, got \"\(prefix)\"") }
            var trimmed = prefix
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            target.storageURIPrefix = trimmed
        }
        for (index, prefix) in try r.stringList("allowed_storage_prefixes").enumerated() {
            guard let scheme = prefix.firstRange(of: "://"), scheme.lowerBound != prefix.startIndex,
                prefix[scheme.upperBound...].contains(where: { $0 != "/" })
            else {
                throw r.error(
                    "allowed_storage_prefixes[\(index)]", "must be a URI with a scheme and a location, e.g. s3://models/prod, got \"\(prefix)\"")
            }
            var trimmed = prefix
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            target.allowedStoragePrefixes.append(trimmed)
        }
        if let alias = try r.string("alias_on_ready") {
            do { try RegistryRules.validateAlias(alias) } catch { throw r.error("alias_on_ready", "is not a valid alias: \(error.message)") }
            target.aliasOnReady = alias
        }
        if let timeout = try r.string("ready_timeout") {
            guard let duration = TargetDuration.parse(timeout) else {
                throw r.error("ready_timeout", "must be a duration such as 90s, 10m or 1h, got \"\(timeout)\"")
            }
            target.readyTimeout = duration
        }
        target.rollbackOnFailure = try r.bool("rollback_on_failure") ?? true
        if let env = try r.string("webhook_secret_env") {
            let valid =
                env.unicodeScalars.first.map { !("0"..."9").contains($0) } ?? false
                && env.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
            guard valid else { throw r.error("webhook_secret_env", "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)") }
            target.webhookSecretEnv = env
        }
        try r.finish()
        return target
    }

    private static let kserveOnly = ["deployment_mode", "model_format", "runtime", "protocol_version"]
    private static let deploymentOnly = [
        "image", "storage_initializer_image", "s3_credentials_secret", "s3_endpoint", "s3_use_https", "s3_region", "s3_verify_ssl", "port",
    ]

    private static func parseKServe(_ r: inout TargetFieldReader) throws(CairnError) -> KServeSettings {
        for key in deploymentOnly where r.has(key) { throw r.error(key, "applies to kind deployment only, not kserve") }
        var settings = KServeSettings()
        if let mode = try r.string("deployment_mode") {
            guard let parsed = KServeSettings.DeploymentMode(fileValue: mode) else {
                throw r.error("deployment_mode", "must be RawDeployment or Serverless (or Standard, Knative), got \"\(mode)\"")
            }
            settings.deploymentMode = parsed
        }
        settings.modelFormat = try r.string("model_format") ?? settings.modelFormat
        settings.runtime = try r.string("runtime")
        if let version = try r.string("protocol_version") {
            guard let parsed = KServeSettings.ProtocolVersion(rawValue: version) else {
                throw r.error("protocol_version", "must be one of v1, v2, grpc-v1, grpc-v2, got \"\(version)\"")
            }
            settings.protocolVersion = parsed
        }
        return settings
    }

    private static func parseDeployment(_ r: inout TargetFieldReader) throws(CairnError) -> DeploymentSettings {
        for key in kserveOnly where r.has(key) { throw r.error(key, "applies to kind kserve only, not deployment") }
        guard let image = try r.string("image") else { throw r.error("image", "is required for kind deployment (the serving image)") }
        var settings = DeploymentSettings(image: image)
        settings.storageInitializerImage = try r.string("storage_initializer_image") ?? settings.storageInitializerImage
        if let secret = try r.string("s3_credentials_secret") {
            guard KubernetesNames.isDNS1123Subdomain(secret) else {
                throw r.error("s3_credentials_secret", "must be a valid Secret name, got \"\(secret)\"")
            }
            settings.s3CredentialsSecret = secret
        }
        settings.s3 = S3Endpoint(
            endpoint: try r.string("s3_endpoint"), useHTTPS: try r.bool("s3_use_https"), region: try r.string("s3_region"),
            verifySSL: try r.bool("s3_verify_ssl"))
        if let endpoint = settings.s3.endpoint, endpoint.contains("://") {
            throw r.error("s3_endpoint", "must be host:port without a scheme (s3_use_https picks http or https), got \"\(endpoint)\"")
        }
        if let port = try r.int("port", minimum: 1) {
            guard port <= 65535 else { throw r.error("port", "must be at most 65535, got \(port)") }
            settings.port = port
        }
        return settings
    }

    private static func parseResources(_ r: inout TargetFieldReader) throws(CairnError) -> ResourceRequirements {
        guard let node = r.node("resources") else { return ResourceRequirements() }
        guard case .mapping(let mapping) = node else { throw r.error("resources", "must be a mapping with requests and/or limits", at: node) }
        var resources = ResourceRequirements()
        for (keyNode, valueNode) in mapping {
            let section = keyNode.scalar?.string ?? "?"
            guard section == "requests" || section == "limits" else {
                throw r.error("resources", "has an unknown key \"\(section)\" (only requests and limits)", at: keyNode)
            }
            if TargetFieldReader.isNull(valueNode) { continue }
            let reader = r
            let pairs = try TargetFieldReader.stringPairs(valueNode) { problem, at in reader.error("resources.\(section)", problem, at: at) }
            for (name, text, at) in pairs {
                guard KubernetesNames.isQualifiedName(name) else {
                    throw r.error("resources.\(section)", "has an invalid resource name \"\(name)\"", at: at)
                }
                guard let quantity = Quantity(text) else {
                    throw r.error("resources.\(section)", "has an invalid quantity \"\(text)\" for \(name) (e.g. 1, 500m, 2Gi)", at: at)
                }
                if section == "requests" { resources.requests[name] = quantity } else { resources.limits[name] = quantity }
            }
        }
        return resources
    }

    private static func parseTolerations(_ r: inout TargetFieldReader) throws(CairnError) -> [Toleration] {
        guard let node = r.node("tolerations") else { return [] }
        guard case .sequence(let items) = node else { throw r.error("tolerations", "must be a list", at: node) }
        var tolerations: [Toleration] = []
        for (index, item) in items.enumerated() {
            let field = "tolerations[\(index)]"
            let reader = r
            let pairs = try TargetFieldReader.stringPairs(item) { problem, at in reader.error(field, problem, at: at) }
            var toleration = Toleration()
            for (key, value, at) in pairs {
                switch key {
                case "key": toleration.key = value
                case "value": toleration.value = value
                case "operator":
                    guard let op = Toleration.Operator(rawValue: value) else {
                        throw r.error(field, "operator must be Equal or Exists, got \"\(value)\"", at: at)
                    }
                    toleration.operator = op
                case "effect":
                    guard let effect = Toleration.Effect(rawValue: value) else {
                        throw r.error(field, "effect must be NoSchedule, PreferNoSchedule or NoExecute, got \"\(value)\"", at: at)
                    }
                    toleration.effect = effect
                case "tolerationSeconds", "toleration_seconds":
                    guard let seconds = Int(value) else { throw r.error(field, "tolerationSeconds must be a whole number, got \"\(value)\"", at: at) }
                    toleration.tolerationSeconds = seconds
                default: throw r.error(field, "has an unknown key \"\(key)\"", at: at)
                }
            }
            if toleration.operator == .exists, toleration.value != nil {
                throw r.error(field, "must not have a value with operator Exists", at: item)
            }
            if toleration.key == nil, toleration.operator != .exists { throw r.error(field, "without a key needs operator Exists", at: item) }
            if toleration.tolerationSeconds != nil, toleration.effect != .noExecute {
                throw r.error(field, "tolerationSeconds needs effect NoExecute", at: item)
            }
            tolerations.append(toleration)
        }
        return tolerations
    }
}
