import NIOConcurrencyHelpers

/// What the routes inside learn about a request that the observation middleware outside logs:
/// who was authenticated. The context is a value copied inward, so this shared box carries it back.
final class RequestRecord: Sendable {
    private let actorName = NIOLockedValueBox<String?>(nil)

    /// The authenticated principal's ``Principal/auditName`` (a token name, `anonymous`), or nil
    /// on open routes and requests refused before authentication.
    var actor: String? {
        get { actorName.withLockedValue { $0 } }
        set { actorName.withLockedValue { $0 = newValue } }
    }
}
