import CairnCore
import CairnStore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Runs `cairn serve` until SIGTERM or SIGINT, then shuts down the way Kubernetes expects:
/// `/readyz` fails at once, requests are still served for ``ServerConfiguration/shutdownDelay``
/// (endpoints and load balancers catch up; answers say `Connection: close`, see
/// ``DrainingMiddleware``), then the listener closes and requests in flight,
/// streamed uploads included, get ``ServerConfiguration/shutdownGrace`` to finish; whatever is
/// still running then is cancelled. Afterwards the promotion worker hands its promotions over and
/// the database pool closes. With ``ServerConfiguration/metricsPort`` a second listener serves
/// `/metrics` alone until the very end.
public func runServer(_ configuration: ServerConfiguration, logger: Logger) async throws {
    let metrics = configuration.metricsEnabled ? ServerMetrics.prometheus() : .disabled
    let serving = ServingState()
    let app = try await buildApplication(configuration, metrics: metrics, serving: serving, logger: logger)
    // Shut down in reverse order: the drain first, the API next, the metrics listener last.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    if let port = configuration.metricsPort, let registry = metrics.registry {
        services.append(.init(service: metricsApplication(registry, host: configuration.host, port: port, logger: logger)))
    }
    services.append(.init(service: app))
    services.append(
        .init(
            service: ShutdownDrain(serving: serving, delay: configuration.shutdownDelay, grace: configuration.shutdownGrace, logger: logger),
            successTerminationBehavior: .ignore))
    var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = configuration.shutdownDelay + configuration.shutdownGrace
    group.maximumCancellationDuration = .seconds(5)
    // Every task of the server (its connections' and requests' child tasks inherit this) runs on
    // NIO's event loops instead of Swift's global pool: see EventLoopTaskExecutor.
    try await withTaskExecutorPreference(EventLoopTaskExecutor.shared) {
        try await ServiceGroup(configuration: group).run()
    }
    logger.info("cairn stopped")
}

/// The `--metrics-port` listener: `/metrics` and nothing else, no authentication (keep the port
/// inside the cluster; the NetworkPolicy in deploy/ admits only the scraper).
func metricsApplication(_ registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    router.get("/metrics") { _, _ in MetricsExpositionController.response(registry) }
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "cairn"), logger: logger)
}

/// The first service told to shut down: marks the server draining (`/readyz` answers 503) and
/// keeps everything serving for the pre-stop delay before the HTTP server is told to stop.
struct ShutdownDrain: Service {
    let serving: ServingState
    let delay: Duration
    let grace: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down without a graceful phase
        }
        serving.markDraining()
        logger.info(
            "shutting down: /readyz now fails; serving on for the pre-stop delay, then requests in flight get the grace period",
            metadata: ["delay_ms": "\(delay.milliseconds)", "grace_ms": "\(grace.milliseconds)"])
        try? await Task.sleep(for: delay)
    }
}
