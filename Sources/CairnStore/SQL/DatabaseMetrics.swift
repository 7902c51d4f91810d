import CoreMetrics

/// The database's instruments (swift-metrics, from the factory the server passes in): statement
/// and transaction latency, pooled connections in use against the pool's ceiling, and whether
/// the database answered the last time it was asked.
struct DatabaseMetrics: Sendable {
    /// `cairn_db_query_duration_seconds{kind="statement"|"transaction"}`: from asking the pool
    /// for a connection to the last row (a statement) or the commit (a transaction).
    let statementDuration: Timer
    let transactionDuration: Timer
    /// `cairn_db_pool_connections_in_use`: connections leased right now.
    let connectionsInUse: Meter
    /// `cairn_database_up`: 1 after a statement that reached the database, 0 after one that
    /// found it unreachable.
    let up: Meter

    static let queryDurationName = "cairn_db_query_duration_seconds"

    init(factory: any MetricsFactory, maximumConnections: Int) {
        statementDuration = Timer(label: Self.queryDurationName, dimensions: [("kind", "statement")], factory: factory)
        transactionDuration = Timer(label: Self.queryDurationName, dimensions: [("kind", "transaction")], factory: factory)
        connectionsInUse = Meter(label: "cairn_db_pool_connections_in_use", factory: factory)
        up = Meter(label: "cairn_database_up", factory: factory)
        Meter(label: "cairn_db_pool_connections_max", factory: factory).set(maximumConnections)
        up.set(1)
    }
}
