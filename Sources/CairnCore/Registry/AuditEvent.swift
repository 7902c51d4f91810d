/// One entry of the append-only audit log: who changed what, when, and the state before and after.
public struct AuditEvent: Sendable, Hashable {
    public var id: Int64
    /// What changed, e.g. `model:fraud`.
    public var entity: String
    /// The operation, e.g. `create_model_version`.
    public var action: String
    /// Who made the change: ``Principal/auditName`` (a token name, `webhook`, or `anonymous`).
    public var actor: String
    public var timestamp: Int64
    /// JSON snapshots; nil where the entity did not exist before (or after).
    public var before: String?
    public var after: String?

    public init(id: Int64, entity: String, action: String, actor: String, timestamp: Int64, before: String?, after: String?) {
        self.id = id
        self.entity = entity
        self.action = action
        self.actor = actor
        self.timestamp = timestamp
        self.before = before
        self.after = after
    }
}
