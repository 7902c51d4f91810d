import CairnArtifacts
import CairnCore
import CairnPromotion
import CairnStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Settings of `cairn serve`. The executable fills them from flags and `CAIRN_*` variables.
public struct ServerConfiguration: Sendable {
    /// The address to listen on. Default 127.0.0.1.
    public var host = "127.0.0.1"
    /// The port to listen on. Default 5000 (MLflow's).
    public var port = 5000
    /// Where the metadata lives. Default `sqlite:./cairn-data/cairn.db`.
    public var database = DatabaseURL.defaultValue
    /// Where artifacts live: a directory or an S3 bucket. Default the directory `./cairn-data/artifacts`.
    public var artifacts = ArtifactBackend.local("./cairn-data/artifacts")
    /// The PostgreSQL pool's ceiling.
    public var maximumDatabaseConnections = 20
    /// The longest one PostgreSQL statement of a request may run before the database cancels it
    /// (a runaway search); the request gets a 400 saying so. Default 10 s; nil for no limit.
    public var statementTimeout: Duration? = .seconds(10)
    /// Authentication and rate limiting.
    public var auth = AuthConfiguration()
    /// With `auth` off: host names besides the loopback ones that `Host` and `Origin` may name
    /// (`--allowed-hosts`); copied into ``AuthConfiguration/allowedHosts``.
    public var allowedHosts: [String] = []
    /// With `auth` off, listening beyond loopback needs this explicit opt-in.
    public var insecureAllowRemote = false
    /// An admin token installed at start (`CAIRN_ADMIN_TOKEN`), named `admin-env`.
    public var adminToken: String?
    /// PEM certificate chain and key for HTTPS; plain HTTP when nil.
    public var tls: TLSFiles?
    /// Connections idle for longer are closed (slow or stuck clients). Default 120 s.
    public var idleTimeoutSeconds: Int64 = 120
    /// Promotion targets, webhook secrets and timing (no targets by default).
    public var promotion = PromotionConfiguration()
    /// Whether figures are recorded and `/metrics` served (`--metrics`, default on).
    public var metricsEnabled = true
    /// A second port that serves only `/metrics`, without authentication (`--metrics-port`);
    /// nil: `/metrics` is on the API port only, behind the `read` scope when auth is on.
    public var metricsPort: Int?
    /// The level of the one line logged per request (`info` with `--log-format json`).
    public var accessLogLevel: Logger.Level = .debug
    /// After SIGTERM, how long the server keeps serving while `/readyz` already fails, so load
    /// balancers stop sending before it stops accepting (`--shutdown-delay`, default 0).
    public var shutdownDelay: Duration = .zero
    /// After the delay, how long requests in flight (uploads included) may take to finish before
    /// they are cut (`--shutdown-grace`, default 25 s: Kubernetes' 30 s less a margin).
    public var shutdownGrace: Duration = .seconds(25)
    /// The server's working directory (read by the executable): a relative `artifact_location`
    /// given to `experiments/create` is resolved against it, as MLflow does.
    public var workingDirectory = "/"

    /// PEM files for TLS.
    public struct TLSFiles: Sendable {
        public var certificateChain: String
        public var privateKey: String

        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    public init() {}

    /// Refuses settings that are unsafe together: no authentication on a non-loopback address.
    public func validate() throws(CairnError) {
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127.")
        if auth.mode == .none && !loopback && !insecureAllowRemote {
            throw .invalidParameter(
                "Refusing to listen on \(host) without authentication: use --auth token (and create a token), or pass --insecure-allow-remote")
        }
        if let rate = auth.rateLimitPerSecond, rate < AuthConfiguration.minimumRateLimit {
            throw .invalidParameter(
                "--rate-limit \(rate) would throttle training loops; use at least \(AuthConfiguration.minimumRateLimit) requests/s")
        }
        if let rate = auth.rateLimitPerSecond, rate > AuthConfiguration.maximumRateLimit {
            throw .invalidParameter("--rate-limit \(rate) is above \(AuthConfiguration.maximumRateLimit) requests/s; leave it unset for no limit")
        }
    }
}

/// Builds the router with every Cairn route over the given stores.
public func buildRouter(
    store: any TrackingStore, registry: any RegistryStore, artifacts: any ArtifactStore, tokens: TokenStore? = nil, auth: AuthConfiguration = .init(),
    promotion: PromotionService? = nil
) -> Router<CairnRequestContext> {
    buildRouter(store: store, registry: registry, artifacts: artifacts, tokens: tokens, auth: auth, promotion: promotion, routeTable: nil)
}

/// As above; `routeTable` collects the registered routes (tests compare them with the OpenAPI document).
func buildRouter(
    store: any TrackingStore, registry: any RegistryStore, artifacts: any ArtifactStore, tokens: TokenStore?, auth: AuthConfiguration,
    promotion: PromotionService? = nil, routeTable: RouteTable?, startup: ServingState? = nil, metrics: ServerMetrics = .disabled,
    accessLogLevel: Logger.Level = .debug
) -> Router<CairnRequestContext> {
    let router = Router(context: CairnRequestContext.self)
    let table = routeTable ?? RouteTable()
    router.add(middleware: RequestObservationMiddleware(metrics: metrics, accessLogLevel: accessLogLevel))
    if let startup { router.add(middleware: DrainingMiddleware(serving: startup)) }
    router.add(middleware: APIErrorMiddleware(routes: table))
    if auth.mode == .none { router.add(middleware: BrowserGuardMiddleware(allowedHosts: auth.allowedHosts)) }
    let sessions = tokens.map { SessionStore(database: $0.database) }
    let authenticator = Authenticator(configuration: auth, tokens: tokens, sessions: sessions)
    let routes = RouteRegistrar(router: router, table: table, authenticator: authenticator)
    let presigns = (artifacts as? any PresigningArtifactStore)?.presignedURLsEnabled ?? false
    let expectedSchemaVersion = (store as? SQLTrackingStore).flatMap {
        try? Migrator.bundledMigrations(for: $0.database.dialect).map(\.version).max()
    }
    SystemController(
        store: store, artifacts: artifacts, startup: startup, expectedSchemaVersion: expectedSchemaVersion, artifactsSupportMultipart: presigns
    ).register(routes)
    ExperimentsController(store: store).register(routes)
    RunsController(store: store, metrics: metrics).register(routes)
    MetricsController(store: store).register(routes)
    LoggedModelsController(store: store).register(routes)
    let idempotency = (registry as? SQLRegistryStore).map { IdempotencyStore(database: $0.database) }
    RegistryController(registry: registry, promotion: promotion, idempotency: idempotency).register(routes)
    ArtifactsController(artifacts: artifacts, metrics: metrics).register(routes)
    TrackedArtifactsController(store: store, artifacts: artifacts, metrics: metrics).register(routes)
    MetricsExpositionController(registry: metrics.registry).register(routes)
    OpenAPIController().register(routes)
    DashboardController(
        tracking: store, registry: registry, artifacts: artifacts, promotion: promotion, pages: DashboardPages(), authenticator: authenticator,
        sessions: auth.mode == .token ? sessions : nil, secureCookies: auth.secureCookies
    ).register(routes)
    if let tokens { TokensController(tokens: tokens, authenticator: authenticator).register(routes) }
    if let promotion {
        PromotionsController(
            promotion: promotion, idempotency: idempotency ?? IdempotencyStore(database: promotion.ledger.database), metrics: metrics
        ).register(routes)
    }
    return router
}

/// Builds the whole server: database (migrated before the server accepts requests), artifact
/// store and HTTP application, with the database pool as a lifecycle service.
/// - Parameters:
///   - metrics: where the server's figures go (``ServerMetrics/prometheus()`` for `/metrics`).
///   - serving: the state the probes report; ``runServer(_:logger:)`` drains it on SIGTERM.
public func buildApplication(
    _ configuration: ServerConfiguration, metrics: ServerMetrics = .disabled, serving: ServingState = ServingState(), logger: Logger
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    let database = try await openDatabase(
        configuration.database, maximumConnections: configuration.maximumDatabaseConnections, statementTimeout: configuration.statementTimeout,
        metrics: metrics.factory, logger: logger)
    var storeConfiguration = SQLTrackingStore.Configuration()
    storeConfiguration.workingDirectory = configuration.workingDirectory
    let store = SQLTrackingStore(database: database, configuration: storeConfiguration)
    let tokens = TokenStore(database: database)
    // What fails from here on (an S3 store or a cluster that cannot be set up) closes the
    // database first, so the cause is what the user sees.
    let artifacts: any ArtifactStore
    let clusters: ClusterConnections
    do {
        artifacts = try await configuration.artifacts.open(logger: logger)
        do {
            clusters = try await ClusterConnections(
                targets: configuration.promotion.targets, environment: configuration.promotion.environment, logger: logger)
        } catch {
            try? await (artifacts as? S3ArtifactStore)?.shutdown()
            throw error
        }
    } catch {
        await database.close()
        throw error
    }
    let registry = SQLRegistryStore(tracking: store)
    let promotion = PromotionService(
        configuration: configuration.promotion, registry: registry, tracking: store, ledger: DeploymentStore(database: database),
        clusters: clusters, metrics: metrics.factory, logger: logger)
    var auth = configuration.auth
    auth.allowedHosts = configuration.allowedHosts
    auth.secureCookies = configuration.tls != nil
    let startup = serving
    let router = buildRouter(
        store: store, registry: registry, artifacts: artifacts, tokens: tokens, auth: auth, promotion: promotion, routeTable: nil,
        startup: startup, metrics: metrics, accessLogLevel: configuration.accessLogLevel)
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ClientAbortHandler()], idleTimeout: .seconds(configuration.idleTimeoutSeconds))
    let server: HTTPServerBuilder
    if let tls = configuration.tls {
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(tls.privateKey))
        server = try .tls(.http1(configuration: http1), tlsConfiguration: tlsConfiguration)
    } else {
        server = .http1(configuration: http1)
    }
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cairn"),
        logger: logger
    )
    if let service = database as? any Service {
        app.addServices(service)
    }
    if let s3Store = artifacts as? S3ArtifactStore {
        app.addServices(S3ClientService(store: s3Store))
    }
    app.addServices(promotion)
    app.beforeServerStarts {
        let applied = try await Migrator(logger: logger).migrate(database)
        if !applied.isEmpty { logger.info("database migrated", metadata: ["versions": "\(applied)"]) }
        try await store.bootstrap()
        promotion.databaseIsReady()
        startup.markStarted()
        if let secret = configuration.adminToken {
            try await tokens.seed(name: "admin-env", scope: .admin, secret: secret)
        }
        logger.info(
            "cairn ready",
            metadata: [
                "database": "\(configuration.database)", "artifacts": "\(configuration.artifacts)", "version": "\(CairnVersion.current)",
                "auth": "\(configuration.auth.mode.rawValue)", "tls": "\(configuration.tls != nil)",
            ])
    }
    return app
}
