import CairnCore
import Hummingbird
import NIOConcurrencyHelpers

/// The paths Cairn serves and their methods, so a request with a known path and a wrong
/// method gets a JSON 405 instead of a 404.
final class RouteTable: Sendable {
    private let entries = NIOLockedValueBox<[String: Set<HTTPRequest.Method>]>([:])
    private let prefixes = NIOLockedValueBox<[String: Set<HTTPRequest.Method>]>([:])

    func record(_ method: HTTPRequest.Method, _ path: String) {
        if path.hasSuffix("/**") {
            let prefix = String(path.dropLast(2))
            prefixes.withLockedValue { $0[prefix, default: []].insert(method) }
        } else {
            entries.withLockedValue { $0[path, default: []].insert(method) }
        }
    }

    /// Every registered route as (method, path), paths as registered (`:param`, `/**`).
    var all: [(method: String, path: String)] {
        let exact = entries.withLockedValue { $0.flatMap { path, methods in methods.map { ($0.rawValue, path) } } }
        let wildcard = prefixes.withLockedValue { $0.flatMap { prefix, methods in methods.map { ($0.rawValue, prefix + "**") } } }
        return (exact + wildcard).sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    /// The methods served at `path`, or an empty set for an unknown path. Routes with `:name`
    /// parameters match any one segment there (`/logged-models/:model_id/params`).
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        if let methods = entries.withLockedValue({ $0[path] }) { return methods }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let parameterised = entries.withLockedValue { table in
            table.filter { route, _ in
                guard route.contains("/:") else { return false }
                let pattern = route.split(separator: "/", omittingEmptySubsequences: false)
                return pattern.count == segments.count
                    && zip(pattern, segments).allSatisfy { expected, actual in expected.hasPrefix(":") ? !actual.isEmpty : expected == actual }
            }.values.reduce(into: Set<HTTPRequest.Method>()) { $0.formUnion($1) }
        }
        if !parameterised.isEmpty { return parameterised }
        return prefixes.withLockedValue { table in
            table.filter { path.hasPrefix($0.key) }.values.reduce(into: Set()) { $0.formUnion($1) }
        }
    }
}

/// Registers routes on the router, records them in the ``RouteTable`` and puts each behind the
/// authenticator with the scope it needs: by default GET needs `read`, POST/PUT/PATCH `write` and
/// DELETE `admin`; routes override that where MLflow's verbs do not say what they do (searches
/// are POSTs that only read; some deletes are POSTs).
struct RouteRegistrar {
    let router: Router<CairnRequestContext>
    let table: RouteTable
    let authenticator: Authenticator

    typealias Handler = @Sendable (Request, CairnRequestContext) async throws -> Response

    /// Who may call a route.
    enum Access {
        /// Anyone, also with authentication on (`/health`, `/ready`, the signed webhook).
        case open
        case scope(TokenScope)
    }

    /// The prefixes MLflow also serves under `/ajax-api` (its UI's prefix, `handlers._get_paths`).
    static let mirroredPrefixes = ["/api/2.0/mlflow/", "/api/2.0/mlflow-artifacts/", "/api/3.0/mlflow/"]

    /// `/ajax-api/…` for a route MLflow mirrors there, nil for the others.
    static func ajaxMirror(of path: String) -> String? {
        guard mirroredPrefixes.contains(where: { path.hasPrefix($0) }) else { return nil }
        return "/ajax-api" + path.dropFirst("/api".count)
    }

    /// Registers a route; a route of MLflow's API (``mirroredPrefixes``) is also registered under
    /// `/ajax-api`, with the same handler and access, as MLflow does for its UI.
    func on(_ method: HTTPRequest.Method, _ path: String, access: Access? = nil, _ handler: @escaping Handler) {
        register(method, path, access: access, handler)
        if let mirror = Self.ajaxMirror(of: path) { register(method, mirror, access: access, handler) }
    }

    private func register(_ method: HTTPRequest.Method, _ path: String, access: Access?, _ handler: @escaping Handler) {
        table.record(method, path)
        let access = access ?? Self.defaultAccess(method)
        let authenticator = self.authenticator
        // Read-only routes stop when their client leaves; writes always run to their end.
        let readOnly: Bool
        switch access {
        case .scope(let scope): readOnly = scope == .read
        case .open: readOnly = false
        }
        let run: Handler
        if readOnly {
            run = { @Sendable request, context in try await DisconnectCancellation.run(request, context: context, handler) }
        } else {
            run = handler
        }
        router.on(RouterPath(path), method: method) { request, context in
            guard case .scope(let scope) = access else { return try await run(request, context) }
            var context = context
            let principal = try await authenticator.authorize(request, scope: scope)
            context.principal = principal
            context.record?.actor = principal.auditName
            return try await run(request, context)
        }
    }

    static func defaultAccess(_ method: HTTPRequest.Method) -> Access {
        switch method {
        case .get, .head: .scope(.read)
        case .delete: .scope(.admin)
        default: .scope(.write)
        }
    }

    func get(_ path: String, access: Access? = nil, _ handler: @escaping Handler) { on(.get, path, access: access, handler) }
    func post(_ path: String, access: Access? = nil, _ handler: @escaping Handler) { on(.post, path, access: access, handler) }
    func put(_ path: String, access: Access? = nil, _ handler: @escaping Handler) { on(.put, path, access: access, handler) }
    func patch(_ path: String, access: Access? = nil, _ handler: @escaping Handler) { on(.patch, path, access: access, handler) }
    func delete(_ path: String, access: Access? = nil, _ handler: @escaping Handler) { on(.delete, path, access: access, handler) }
}
