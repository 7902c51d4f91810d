import ArgumentParser
import CairnCore
import CairnDeploy
import CairnPromotion
import Foundation

/// Reads the promotion settings: the targets file, the webhook secrets its targets name, and
/// the lease and polling intervals. This is the only place their environment variables are read.
enum PromotionSettings {
    static func resolve(targetsPath: String?, lease: String?, pollInterval: String?) throws -> PromotionConfiguration {
        var configuration = PromotionConfiguration()
        configuration.environment = ProcessInfo.processInfo.environment
        if let path = targetsPath ?? Environment.value("CAIRN_TARGETS") {
            do {
                configuration.targets = try TargetsFile.load(path: path)
            } catch {
                throw ValidationError(error.message)
            }
            for target in configuration.targets.targets {
                guard let variable = target.webhookSecretEnv else { continue }
                guard let secret = Environment.value(variable) else {
                    throw ValidationError("\(path): target '\(target.name)': webhook_secret_env names \(variable), which is not set")
                }
                configuration.targetWebhookSecrets[target.name] = secret
            }
        }
        configuration.defaultWebhookSecret = Environment.value("CAIRN_WEBHOOK_SECRET")
        if let text = lease ?? Environment.value("CAIRN_PROMOTION_LEASE") {
            configuration.lease = try duration(text, option: "--promotion-lease")
        }
        if let text = pollInterval ?? Environment.value("CAIRN_PROMOTION_POLL_INTERVAL") {
            configuration.pollInterval = try duration(text, option: "--promotion-poll-interval")
        }
        return configuration
    }

    private static func duration(_ text: String, option: String) throws -> Duration {
        guard let value = TargetDuration.parse(text) else {
            throw ValidationError("Invalid \(option) '\(text)': expected a duration such as 30s, 5m or 1h")
        }
        return value
    }
}
