import CairnCore

/// ``TrackingStore`` over any ``SQLDatabase``: one implementation of MLflow's tracking rules for
/// both PostgreSQL and SQLite. Statements are written once with `$N` placeholders; the few
/// engine-specific spellings (array binds for batch inserts) switch on ``SQLDialect``.
public struct SQLTrackingStore: TrackingStore {
    /// Settings of the tracking store.
    public struct Configuration: Sendable {
        /// Where experiments created without an `artifact_location` keep their artifacts: the
        /// experiment's location is `<root>/<experiment_id>`. MLflow's proxied default is
        /// `mlflow-artifacts:`, which clients rewrite to the server's artifact proxy.
        public var defaultArtifactRoot: String = "mlflow-artifacts:"
        /// The server's working directory, against which a relative `artifact_location` is
        /// resolved, as MLflow resolves it against its own (see ``ArtifactLocation``).
        public var workingDirectory: String = "/"

        public init() {}
    }

    public let database: any SQLDatabase
    public let configuration: Configuration
    let seriesCache = MetricSeriesCache()
    /// The details run searches read, per run under its details version (32 MB, estimated).
    let detailsCache = VersionedCache<RunDetails>(budget: 32 << 20, size: { $0.estimatedBytes })

    public init(database: any SQLDatabase, configuration: Configuration = .init()) {
        self.database = database
        self.configuration = configuration
    }

    var dialect: SQLDialect { database.dialect }

    /// Creates the `Default` experiment (id 0) if the database has none, as MLflow does.
    public func bootstrap() async throws {
        let now = Clock.nowMillis()
        try await database.execute(
            """
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES (0, $1, $2, 'active', $3, $3) ON CONFLICT DO NOTHING
            """,
            [.text(Experiment.defaultName), .text(artifactLocation(forExperiment: Experiment.defaultID)), .int(now)]
        )
    }

    public func ping() async throws {
        _ = try await database.query("SELECT 1", [])
    }

    func artifactLocation(forExperiment id: String) -> String {
        let root = configuration.defaultArtifactRoot
        if root.hasSuffix(":") || root.hasSuffix("/") { return root + (root.hasSuffix(":") ? "/" : "") + id }
        return root + "/" + id
    }
}
