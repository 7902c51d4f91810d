/// One entry of the append-only audit log: who changed what, when, and the state before and after.
public struct AuditEvent: Sendable, Hashable {
    public var id: Int64
    /// What changed, e.g. `model:fraud`.
    public var entity: String
    /// The operation, e.g. `create_model_version`.
    public var action: String
    /// The authenticated caller (a token name), or `anonymous`.
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

/// The caller of the current request, as the audit log records it. The HTTP layer binds it for
/// the duration of a request (`RequestActor.$name.withValue(...)`); without authentication it is
/// `anonymous`.
public enum RequestActor {
    @TaskLocal public static var name: String = "anonymous"
    /// The token the request authenticated with (nil when authentication is off).
    @TaskLocal public static var token: APIToken?
}
