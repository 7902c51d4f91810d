import CairnCore

/// One request to put a registered model version on a target: the body of
/// `POST /api/cairn/v1/promotions` and of the CI webhook.
public struct PromotionRequest: Sendable, Hashable {
    /// Which version of the model: a number, or an alias resolved when the request arrives.
    public enum Selector: Sendable, Hashable {
        case version(Int64)
        case alias(String)
    }

    public var model: String
    public var selector: Selector
    public var target: String
    /// Render and validate with the cluster's dry run only: nothing is applied, nothing recorded.
    public var dryRun: Bool

    public init(model: String, selector: Selector, target: String, dryRun: Bool = false) {
        self.model = model
        self.selector = selector
        self.target = target
        self.dryRun = dryRun
    }

    /// Builds a request from the body's fields, refusing what is missing or ambiguous.
    /// - Throws: 400 `INVALID_PARAMETER_VALUE` naming the field.
    public init(model: String?, version: String?, alias: String?, target: String?, dryRun: Bool?) throws(CairnError) {
        guard let model, !model.isEmpty else { throw .invalidParameter("Missing value for required parameter 'model'") }
        guard let target, !target.isEmpty else { throw .invalidParameter("Missing value for required parameter 'target'") }
        switch (version, alias) {
        case (let version?, nil):
            guard let number = Int64(version), number >= 1 else {
                throw .invalidParameter("Invalid value '\(version)' for parameter 'version': expected a version number such as \"3\"")
            }
            selector = .version(number)
        case (nil, let alias?):
            guard !alias.isEmpty else { throw .invalidParameter("Invalid value '' for parameter 'alias'") }
            selector = .alias(alias)
        case (nil, nil):
            throw .invalidParameter("Give either 'version' or 'alias' of the model to promote")
        case (_?, _?):
            throw .invalidParameter("Give either 'version' or 'alias', not both")
        }
        self.model = model
        self.target = target
        self.dryRun = dryRun ?? false
    }
}
