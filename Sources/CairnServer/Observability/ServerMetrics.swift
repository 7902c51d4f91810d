import CairnCore
import CoreMetrics
import Prometheus

/// The server's own instruments, made through swift-metrics from an explicit factory (the
/// Prometheus registry in `cairn serve`, a no-op in tests that do not look). Names follow
/// OpenTelemetry's HTTP conventions where one exists; no label carries a run, user or token, so
/// the series count stays bounded by routes × methods × statuses.
public struct ServerMetrics: Sendable {
    /// The factory every instrument is made from; also handed to the store and promotion so
    /// their figures land in the same registry.
    public let factory: any MetricsFactory
    /// The registry `/metrics` renders; nil when the factory is not Prometheus's (no `/metrics`).
    public let registry: PrometheusCollectorRegistry?
    /// Points accepted by `log-metric` and `log-batch`.
    let metricsIngested: CoreMetrics.Counter
    /// Artifact bytes received through the proxy.
    let artifactBytesIn: CoreMetrics.Counter
    /// Artifact bytes sent through the proxy.
    let artifactBytesOut: CoreMetrics.Counter
    /// The request histogram's series made so far.
    let requestTimers = RequestTimers()

    /// The name of the request-duration histogram (its `_count` gives the request counts).
    public static let requestDurationName = "http_server_request_duration_seconds"
    /// Bucket bounds of the request histogram: from a cached read to a large upload.
    public static let requestDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// - Parameters:
    ///   - factory: where instruments come from; `NOOPMetricsHandler.instance` records nothing.
    ///   - registry: the Prometheus registry behind `factory`, which `/metrics` renders.
    public init(factory: any MetricsFactory, registry: PrometheusCollectorRegistry? = nil) {
        self.factory = factory
        self.registry = registry
        metricsIngested = CoreMetrics.Counter(label: "cairn_metrics_ingested_total", factory: factory)
        artifactBytesIn = CoreMetrics.Counter(label: "cairn_artifact_bytes_total", dimensions: [("direction", "in")], factory: factory)
        artifactBytesOut = CoreMetrics.Counter(label: "cairn_artifact_bytes_total", dimensions: [("direction", "out")], factory: factory)
        // Series that may stay at zero for a long time exist from the start, so `rate()` and
        // `increase()` in alert rules see a zero rather than nothing.
        for result in Self.webhookResults {
            _ = CoreMetrics.Counter(label: "cairn_webhook_requests_total", dimensions: [("result", result)], factory: factory)
        }
        CoreMetrics.Gauge(label: "cairn_build_info", dimensions: [("version", CairnVersion.current)], factory: factory).record(1)
    }

    /// Records nothing (routers built by tests that do not read metrics).
    public static let disabled = ServerMetrics(factory: NOOPMetricsHandler.instance)

    /// Instruments in a new Prometheus registry, with histogram buckets chosen per instrument:
    /// requests and database calls from half a millisecond to ten seconds, promotions from a
    /// second to half an hour.
    public static func prometheus() -> ServerMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            requestDurationName: requestDurationBuckets,
            "cairn_db_query_duration_seconds": requestDurationBuckets,
            "cairn_promotion_duration_seconds": [1, 5, 15, 30, 60, 120, 300, 600, 1800].map { Duration.seconds($0) },
        ]
        return ServerMetrics(factory: factory, registry: registry)
    }

    /// Records one answered request under its route template (`/api/2.0/mlflow/runs/get`,
    /// `/runs/:run_id`, `unmatched` for paths no route serves), method and status.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        requestTimers.timer(method: method, route: route, status: status) { dimensions in
            CoreMetrics.Timer(label: Self.requestDurationName, dimensions: dimensions, factory: factory)
        }.recordNanoseconds(duration.nanoseconds)
    }

    /// Counts metric points accepted by `log-metric` or `log-batch`.
    func recordIngested(points: Int) { metricsIngested.increment(by: points) }

    /// Counts artifact bytes through the proxy: `received` from clients, or sent to them.
    func recordArtifactBytes(received: Int = 0, sent: Int = 0) {
        if received > 0 { artifactBytesIn.increment(by: received) }
        if sent > 0 { artifactBytesOut.increment(by: sent) }
    }

    static let webhookResults = ["accepted", "bad_signature", "rejected"]

    /// Records one webhook call by result: `accepted`, `bad_signature` or `rejected`.
    func recordWebhook(result: String) {
        CoreMetrics.Counter(label: "cairn_webhook_requests_total", dimensions: [("result", result)], factory: factory).increment()
    }
}
