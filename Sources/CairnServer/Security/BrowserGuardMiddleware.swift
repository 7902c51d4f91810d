import CairnCore
import HTTPTypes
import Hummingbird

/// Keeps web pages from driving a server that runs without authentication (`--auth none`, the
/// local default). A page the user visits can send requests to `127.0.0.1:5000`; with no token
/// to check, three rules stand in for one:
/// - `Host` must name an allowed host (the loopback names, plus `--allowed-hosts`), which stops
///   DNS rebinding (a page whose own name resolves to 127.0.0.1);
/// - a state-changing request (any method but GET, HEAD and OPTIONS) carrying an `Origin` must
///   come from Cairn's own origin (the `Origin`'s host and port are the request's `Host`) or
///   from a host listed in `--allowed-hosts`: a page on another local port (a notebook, another
///   dev server) is another origin;
/// - a state-changing request with a body must be `application/json` (artifact uploads, which
///   are raw bytes, excepted, and the dashboard's own forms when they carry a checked `Origin`),
///   so a cross-site form or `fetch` without a CORS preflight, which Cairn never grants, cannot
///   send one.
/// `/health` and `/ready` stay open to any `Host` (probes address the pod by IP).
struct BrowserGuardMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext

    let allowedHosts: Set<String>
    let allowsAnyHost: Bool

    init(allowedHosts: [String]) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.allowsAnyHost = allowedHosts.contains("*")
    }

    static let hostField = HTTPField.Name("Host")!

    /// Paths whose request bodies are raw artifact bytes, not JSON (the Origin and Host checks
    /// still apply to them).
    static let rawBodyPrefixes = [
        "/api/2.0/mlflow-artifacts/artifacts/", "/ajax-api/2.0/mlflow-artifacts/artifacts/", "/ajax-api/2.0/mlflow/upload-artifact",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/health" || path == "/ready" { return try await next(request, context) }
        // HTTP/1 servers move `Host` into the authority; a stray `Host` field is checked too.
        let hosts = [request.head.authority].compactMap { $0 } + request.headers[values: Self.hostField]
        if let host = hosts.first(where: { !isAllowed(hostOf: $0) }) {
            throw CairnError(
                .permissionDenied,
                "Host '\(Self.printable(host))' is not allowed: without authentication Cairn answers only loopback names; add the name with --allowed-hosts (CAIRN_ALLOWED_HOSTS)"
            )
        }
        let changesState = request.method != .get && request.method != .head && request.method != .options
        guard changesState else { return try await next(request, context) }
        if let origin = request.headers[.origin] {
            let own = request.head.authority?.lowercased()
            guard let authority = Self.host(ofOrigin: origin)?.lowercased(),
                authority == own || allowsAnyHost || allowedHosts.contains(Self.hostName(authority))
            else {
                throw CairnError(
                    .permissionDenied,
                    "Origin '\(Self.printable(origin))' is not allowed to change data on this server: without authentication only Cairn's own pages (or hosts in --allowed-hosts) may"
                )
            }
        }
        // The dashboard's own forms (a rollback button) post form fields; they pass only with an
        // `Origin`, which browsers send on every form POST and which was checked above.
        let ownForm = request.headers[.origin] != nil && Self.isDashboardForm(path) && Self.isForm(request.headers[.contentType])
        if Self.hasBody(request), !ownForm, !Self.rawBodyPrefixes.contains(where: { path.hasPrefix($0) }), !Self.isJSON(request.headers[.contentType])
        {
            throw CairnError(
                .badRequest,
                "Content-Type must be application/json for \(request.method.rawValue) \(path) (got '\(Self.printable(request.headers[.contentType] ?? "none"))')"
            )
        }
        return try await next(request, context)
    }

    /// The dashboard routes that take an HTML form's fields.
    static func isDashboardForm(_ path: String) -> Bool {
        path.hasPrefix("/models/") && path.hasSuffix("/rollback")
    }

    static func isForm(_ contentType: String?) -> Bool {
        contentType.map(ContentTypes.mediaType) == "application/x-www-form-urlencoded"
    }

    /// Whether `authority` (`name[:port]`, `[v6]:port`) names an allowed host.
    func isAllowed(hostOf authority: String) -> Bool {
        if allowsAnyHost { return true }
        let host = Self.hostName(authority)
        if host == "localhost" || host.hasSuffix(".localhost") || host == "[::1]"
            || host.hasPrefix("127.") && host.allSatisfy({ $0.isNumber || $0 == "." })
        {
            return true
        }
        return allowedHosts.contains(host)
    }

    /// The host part of an authority, lowercased, without port (IPv6 keeps its brackets).
    static func hostName(_ authority: String) -> String {
        let lower = authority.lowercased()
        if lower.hasPrefix("["), let close = lower.firstIndex(of: "]") { return String(lower[...close]) }
        if let colon = lower.lastIndex(of: ":") { return String(lower[..<colon]) }
        return lower
    }

    /// The authority of an `Origin` (`scheme://host[:port]`); nil for `null` or anything else.
    static func host(ofOrigin origin: String) -> String? {
        guard let range = origin.firstRange(of: "://") else { return nil }
        let authority = origin[range.upperBound...]
        guard !authority.isEmpty, !authority.contains("/") else { return nil }
        return String(authority)
    }

    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = ContentTypes.mediaType(contentType)
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    /// A header value fit to quote in a message: at most 100 visible ASCII characters.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    }
}
