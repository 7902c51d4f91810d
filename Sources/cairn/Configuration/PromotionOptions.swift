import ArgumentParser
import CairnCore
import CairnDeploy
import CairnPromotion
import CairnSettings

/// The promotion options of `serve`: the targets file, the webhook secrets its targets name, and
/// the lease and polling intervals.
struct PromotionOptions: ParsableArguments {
    @Option(name: .customLong(Settings.targets.flag!), help: ArgumentHelp(Settings.targets.help))
    var targets: String?

    @Option(name: .customLong(Settings.promotionLease.flag!), help: ArgumentHelp(Settings.promotionLease.help))
    var promotionLease: String?

    @Option(name: .customLong(Settings.promotionPollInterval.flag!), help: ArgumentHelp(Settings.promotionPollInterval.help))
    var promotionPollInterval: String?

    /// The promotion module's configuration.
    /// - Throws: a malformed targets file, or a target whose `webhook_secret_env` is not set.
    func configuration(_ reader: ConfigurationReader) throws -> PromotionConfiguration {
        var configuration = PromotionConfiguration()
        configuration.environment = reader.environment
        if let path = reader.string(Settings.targets, flag: targets) {
            do {
                configuration.targets = try TargetsFile.load(path: path)
            } catch {
                throw CommandError(error.message)
            }
            for target in configuration.targets.targets {
                guard let variable = target.webhookSecretEnv else { continue }
                guard let secret = reader.variable(variable) else {
                    throw CommandError("\(path): target '\(target.name)': webhook_secret_env names \(variable), which is not set")
                }
                configuration.targetWebhookSecrets[target.name] = secret
            }
        }
        configuration.defaultWebhookSecret = reader.string(Settings.webhookSecret)
        configuration.lease = try reader.requiredDuration(Settings.promotionLease, flag: promotionLease)
        configuration.pollInterval = try reader.requiredDuration(Settings.promotionPollInterval, flag: promotionPollInterval)
        return configuration
    }
}
