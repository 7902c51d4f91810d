import CairnCore
import Hummingbird
import Prometheus

/// `GET /metrics`: the Prometheus text format (version 0.0.4) of the server's registry. On the API
/// port it needs the `read` scope when authentication is on; `--metrics-port` serves it alone,
/// without authentication, on a port of its own for the cluster's scraper.
/// With `--metrics off` there is no registry and the route answers 404 saying so.
struct MetricsExpositionController {
    let registry: PrometheusCollectorRegistry?

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func register(_ routes: RouteRegistrar) {
        routes.get("/metrics", metrics)
    }

    @Sendable func metrics(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard let registry else { throw CairnError(.endpointNotFound, "Metrics are off on this server (--metrics off)") }
        return Self.response(registry)
    }

    static func response(_ registry: PrometheusCollectorRegistry) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * 1024)
        registry.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
