import CairnArtifacts
import CairnCore
import CairnStore
import Hummingbird
import Logging
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

    public init() {}
}

/// Opens the configured database (creating its file or connecting its pool).
public func openDatabase(_ url: DatabaseURL, maximumConnections: Int = 20, logger: Logger) async throws -> any SQLDatabase {
    switch url {
    case .sqlite(let path):
        return try await SQLiteDatabase.open(path: path, logger: logger)
    case .postgres(let settings):
        return PostgresDatabase(settings: settings, maximumConnections: maximumConnections, logger: logger)
    }
}

/// Builds the router with every Cairn route over the given store and artifact store.
public func buildRouter(store: any TrackingStore, artifacts: any ArtifactStore) -> Router<CairnRequestContext> {
    let router = Router(context: CairnRequestContext.self)
    let table = RouteTable()
    router.add(middleware: APIErrorMiddleware(routes: table))
    let routes = RouteRegistrar(router: router, table: table)
    let presigns = (artifacts as? any PresigningArtifactStore)?.presignedURLsEnabled ?? false
    SystemController(store: store, artifactsSupportMultipart: presigns).register(routes)
    ExperimentsController(store: store).register(routes)
    RunsController(store: store).register(routes)
    MetricsController(store: store).register(routes)
    LoggedModelsController(store: store).register(routes)
    ArtifactsController(artifacts: artifacts).register(routes)
    return router
}

/// Builds the whole server: database (migrated before the server accepts requests), artifact
/// store and HTTP application, with the database pool as a lifecycle service.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let database = try await openDatabase(configuration.database, maximumConnections: configuration.maximumDatabaseConnections, logger: logger)
    let store = SQLTrackingStore(database: database)
    let artifacts: any ArtifactStore
    var s3Store: S3ArtifactStore?
    switch configuration.artifacts {
    case .local(let root):
        artifacts = try await LocalArtifactStore(root: root)
    case .s3(let s3Configuration):
        let store = S3ArtifactStore(configuration: s3Configuration, logger: logger)
        artifacts = store
        s3Store = store
    }
    var app = Application(
        router: buildRouter(store: store, artifacts: artifacts),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cairn"),
        logger: logger
    )
    if let postgres = database as? PostgresDatabase {
        app.addServices(postgres)
    }
    if let s3Store {
        app.addServices(S3ClientService(store: s3Store))
    }
    app.beforeServerStarts {
        let applied = try await Migrator(logger: logger).migrate(database)
        if !applied.isEmpty { logger.info("database migrated", metadata: ["versions": "\(applied)"]) }
        try await store.bootstrap()
        logger.info(
            "cairn ready",
            metadata: ["database": "\(configuration.database)", "artifacts": "\(configuration.artifacts)", "version": "\(CairnVersion.current)"])
    }
    return app
}
