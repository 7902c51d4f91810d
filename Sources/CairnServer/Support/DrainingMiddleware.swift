import HTTPTypes
import Hummingbird

/// While the server drains (SIGTERM received, `/readyz` failing), every response says
/// `Connection: close`. A client holding a keep-alive connection then opens its next one through
/// the load balancer, which by now sends it to a replica that is still ready, instead of reusing
/// this one until the listener closes at the end of the pre-stop delay and cuts it, possibly
/// under a request already on its way (a reset the client must notice and retry).
struct DrainingMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext

    let serving: ServingState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if serving.isDraining { response.headers[.connection] = "close" }
        return response
    }
}
