import CoreMetrics
import NIOConcurrencyHelpers

/// The request histogram's series by method, route and status, each made once: making a
/// swift-metrics timer asks the factory, which for Prometheus validates the names and looks the
/// series up in its registry (about 2% of the CPU of the cheapest request, `GET /version`),
/// while a lookup here is one hash under a lock. The keys are bounded as the series are (known
/// methods, route templates, the statuses Cairn answers with).
final class RequestTimers: Sendable {
    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let timers = NIOLockedValueBox<[Key: CoreMetrics.Timer]>([:])

    /// The series of `method`, `route` and `status`, made by `make` (given its dimensions) the
    /// first time it is asked for.
    func timer(method: String, route: String, status: Int, make: ([(String, String)]) -> CoreMetrics.Timer) -> CoreMetrics.Timer {
        let key = Key(method: method, route: route, status: status)
        if let timer = timers.withLockedValue({ $0[key] }) { return timer }
        let timer = make([("http_request_method", method), ("http_route", route), ("http_response_status_code", String(status))])
        timers.withLockedValue { $0[key] = timer }
        return timer
    }
}
