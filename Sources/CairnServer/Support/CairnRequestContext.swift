import CairnCore
import Hummingbird
import Logging
import NIOCore

/// The request context of every Cairn route. JSON bodies are collected up to
/// ``maxJSONBodySize``; artifact uploads stream and are not bounded by it.
public struct CairnRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    /// The largest JSON body accepted (16 MiB: far above a 1000-metric batch of long keys).
    public static let maxJSONBodySize = 16 * 1024 * 1024

    /// The client's connection, watched for the client leaving (``DisconnectCancellation``).
    public let channel: (any Channel)?

    /// Who sends the request, set when the route's authentication passes; nil on open routes
    /// (`/health`, the signed webhook), which must not act on anyone's behalf. Handlers that
    /// record or check an actor read it through ``actingPrincipal()``.
    public var principal: Principal?

    /// Set by the observation middleware (absent in routers built without it): where the routes
    /// leave what its access-log line reports.
    var record: RequestRecord?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public var maxUploadSize: Int { Self.maxJSONBodySize }

    /// The request's principal.
    /// - Throws: 401 on a route that authenticated nobody (a programming error: such a route must
    ///   not change anything on someone's behalf), so no identity never means "allowed".
    public func actingPrincipal() throws(CairnError) -> Principal {
        guard let principal else { throw CairnError(.unauthenticated, "This route does not authenticate its caller") }
        return principal
    }
}
