import CairnCore

/// A pod toleration, passed through to the serving pods unchanged.
public struct Toleration: Sendable, Equatable {
    /// The taint key; `nil` with operator `Exists` tolerates every taint.
    public var key: String?
    /// `Equal` (the default) or `Exists`.
    public var `operator`: Operator?
    /// The taint value, for `Equal`.
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; `nil` matches all effects.
    public var effect: Effect?
    /// For `NoExecute`: how long the pod stays bound after the taint appears.
    public var tolerationSeconds: Int?

    /// Creates a toleration.
    public init(key: String? = nil, operator: Operator? = nil, value: String? = nil, effect: Effect? = nil, tolerationSeconds: Int? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// Toleration operators.
    public enum Operator: String, Sendable, CaseIterable {
        /// The taint's key and value must match.
        case equal = "Equal"
        /// The taint's key must exist (any value).
        case exists = "Exists"
    }

    /// Taint effects.
    public enum Effect: String, Sendable, CaseIterable {
        /// New pods are not scheduled onto the node.
        case noSchedule = "NoSchedule"
        /// The scheduler avoids the node when it can.
        case preferNoSchedule = "PreferNoSchedule"
        /// Running pods are evicted too.
        case noExecute = "NoExecute"
    }

    /// The toleration as a pod spec entry.
    public var manifestValue: JSONValue {
        .fields([
            "key": key.map(JSONValue.string), "operator": self.operator.map { JSONValue.string($0.rawValue) },
            "value": value.map(JSONValue.string), "effect": effect.map { JSONValue.string($0.rawValue) },
            "tolerationSeconds": tolerationSeconds.map { JSONValue.int(Int64($0)) },
        ])
    }
}
