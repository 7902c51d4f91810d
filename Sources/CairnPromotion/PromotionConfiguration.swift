import CairnDeploy

/// Everything the promotion module is configured with. The executable builds it from
/// `--targets` (`CAIRN_TARGETS`), the webhook secret variables and the timing flags; nothing here
/// reads the environment itself.
public struct PromotionConfiguration: Sendable {
    /// The declared targets (an empty file when `--targets` is not given: every promotion is 404).
    public var targets: TargetsFile
    /// Webhook secrets by target name, read from each target's `webhook_secret_env`.
    public var targetWebhookSecrets: [String: String]
    /// The webhook secret of targets without their own (`CAIRN_WEBHOOK_SECRET`).
    public var defaultWebhookSecret: String?
    /// How long a replica may go without renewing an in-flight promotion's lease before another
    /// replica (or the same one, restarted) takes the promotion over.
    public var lease: Duration
    /// How often readiness is polled while a rollout is under way.
    public var pollInterval: Duration
    /// The process environment, for targets without a kubeconfig (the in-cluster configuration
    /// reads `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`).
    public var environment: [String: String] = [:]

    /// Creates a configuration: no targets, no secrets, a 30 s lease, 1 s polling.
    public init(
        targets: TargetsFile = TargetsFile(targets: []), targetWebhookSecrets: [String: String] = [:], defaultWebhookSecret: String? = nil,
        lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1)
    ) {
        self.targets = targets
        self.targetWebhookSecrets = targetWebhookSecrets
        self.defaultWebhookSecret = defaultWebhookSecret
        self.lease = lease
        self.pollInterval = pollInterval
    }

    /// The secret that signs webhook calls for `target`: its own, else the default; `nil` when
    /// none is configured (the webhook then refuses every call for the target with 403).
    public func webhookSecret(target: String) -> String? {
        if let own = targetWebhookSecrets[target], !own.isEmpty { return own }
        if let shared = defaultWebhookSecret, !shared.isEmpty { return shared }
        return nil
    }
}
