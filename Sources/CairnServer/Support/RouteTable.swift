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

    /// The methods served at `path`, or an empty set for an unknown path.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        if let methods = entries.withLockedValue({ $0[path] }) { return methods }
        return prefixes.withLockedValue { table in
            table.filter { path.hasPrefix($0.key) }.values.reduce(into: Set()) { $0.formUnion($1) }
        }
    }
}

/// Registers routes on the router and records them in the ``RouteTable``.
struct RouteRegistrar {
    let router: Router<CairnRequestContext>
    let table: RouteTable

    typealias Handler = @Sendable (Request, CairnRequestContext) async throws -> Response

    func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        table.record(method, path)
        router.on(RouterPath(path), method: method, use: handler)
    }

    func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
    func put(_ path: String, _ handler: @escaping Handler) { on(.put, path, handler) }
    func patch(_ path: String, _ handler: @escaping Handler) { on(.patch, path, handler) }
    func delete(_ path: String, _ handler: @escaping Handler) { on(.delete, path, handler) }
}
