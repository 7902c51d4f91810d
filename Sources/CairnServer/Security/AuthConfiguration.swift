/// How requests are authenticated. The executable fills it from `--auth` (`CAIRN_AUTH`) and
/// `--rate-limit` (`CAIRN_RATE_LIMIT`).
public struct AuthConfiguration: Sendable {
    /// `none`: every request is `anonymous` (only safe on loopback); `token`: every route but
    /// `/health`, `/ready` and the signed CI webhook needs an API token.
    public enum Mode: String, Sendable {
        case none
        case token
    }

    public var mode = Mode.none
    /// Requests per second allowed per token (a bucket of twice this many absorbs bursts); nil
    /// turns rate limiting off (the default). Values below ``minimumRateLimit`` are refused, so a
    /// training loop calling `log_metric` is never throttled.
    public var rateLimitPerSecond: Int?
    /// How long a verified token is trusted before it is looked up again (revocations take
    /// effect on every replica within this time).
    public var cacheSeconds: Int64 = 10

    /// With `mode` none, the host names (lowercase, without port) a request's `Host` and a
    /// state-changing request's `Origin` may name besides the loopback ones (`localhost`,
    /// `*.localhost`, `127.0.0.1`, `[::1]`); `*` allows any. See ``BrowserGuardMiddleware``.
    public var allowedHosts: [String] = []
    /// Whether the dashboard's session cookie is marked `Secure` (sent over HTTPS only): set when
    /// the server serves HTTPS itself. Behind a TLS-terminating proxy the cookie still travels
    /// encrypted between browser and proxy.
    public var secureCookies = false

    public static let minimumRateLimit = 50
    public static let maximumRateLimit = 1_000_000

    public init() {}
}
