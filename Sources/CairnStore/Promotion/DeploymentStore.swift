import CairnCore

/// The deployment ledger, the per-target promotion locks and the webhook idempotency records.
public struct DeploymentStore: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    static let columns = "id, model, version, target, status, manifest, message, previous_deployment_id, actor, created_at, updated_at"

    /// Starts a promotion: takes the target's lock and appends a `pending` ledger entry whose
    /// rollback point is the target's last `ready` deployment, in one transaction.
    /// - Throws: 409 `RESOURCE_CONFLICT` while another promotion holds the target.
    public func begin(
        model: String, version: Int64, target: String, manifest: String, message: String = "", actor: Principal,
        id: String = Deployment.newID()
    ) async throws -> Deployment {
        let now = Clock.nowMillis()
        do {
            return try await database.withTransaction { tx in
                try await tx.execute(
                    "INSERT INTO promotion_locks (target, deployment_id, acquired_at, heartbeat_at) VALUES ($1, $2, $3, $3)",
                    [.text(target), .text(id), .int(now)])
                let previous = try await tx.query(
                    "SELECT id FROM deployments WHERE target = $1 AND status = 'ready' ORDER BY created_at DESC, id DESC LIMIT 1", [.text(target)]
                ).first?.string(0)
                let deployment = Deployment(
                    id: id, model: model, version: version, target: target, status: .pending, manifest: manifest, message: message,
                    previousDeploymentID: previous,
                    actor: actor.auditName, createdAt: now, updatedAt: now)
                try await tx.execute(
                    """
                    INSERT INTO deployments (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                    """,
                    [
                        .text(id), .text(model), .int(version), .text(target), .text(deployment.status.rawValue), .text(manifest), .text(message),
                        previous.map(SQLValue.text) ?? .null, .text(deployment.actor), .int(now),
                    ])
                return deployment
            }
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            let holder = try await database.query("SELECT deployment_id FROM promotion_locks WHERE target = $1", [.text(target)]).first?.string(0)
            throw CairnError(.resourceConflict, "A promotion to target '\(target)' is already in progress (deployment \(holder ?? "?"))")
        }
    }

    /// Remembers that a promotion to `target` was requested by `alias` of `model`.
    public func recordPromotionAlias(model: String, alias: String, target: String) async throws {
        try await database.execute(
            "INSERT INTO promotion_aliases (model, alias, target) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [.text(model), .text(alias), .text(target)])
    }

    /// The targets promotions were requested to by `alias` of `model`.
    public func targetsPromoted(model: String, alias: String) async throws -> [String] {
        try await database.query(
            "SELECT target FROM promotion_aliases WHERE model = $1 AND alias = $2 ORDER BY target", [.text(model), .text(alias)]
        )
        .map { $0.string(0) }
    }

    /// Records a state change; a final status also releases the target's lock, any other renews
    /// the promotion's lease.
    public func update(_ id: String, status: DeploymentStatus, message: String, manifest: String? = nil) async throws {
        try await database.withTransaction { tx in
            var builder = SQLBuilder("UPDATE deployments SET status = ", dialect: tx.dialect)
            builder.append(
                "\(builder.bind(.text(status.rawValue))), message = \(builder.bind(.text(message))), updated_at = \(builder.bind(.int(Clock.nowMillis())))"
            )
            if let manifest { builder.append(", manifest = \(builder.bind(.text(manifest)))") }
            builder.append(" WHERE id = \(builder.bind(.text(id))) RETURNING target")
            guard let target = try await tx.query(builder).first?.string(0) else { throw CairnError.notFound("No deployment \(id)") }
            if status.isFinal {
                try await tx.execute("DELETE FROM promotion_locks WHERE target = $1 AND deployment_id = $2", [.text(target), .text(id)])
            } else {
                // Progress renews the lease: the replica doing the work is alive.
                try await tx.execute("UPDATE promotion_locks SET heartbeat_at = $1 WHERE deployment_id = $2", [.int(Clock.nowMillis()), .text(id)])
            }
        }
    }

    /// Renews the lease of an in-flight promotion (the replica running it is alive).
    public func heartbeat(_ id: String) async throws {
        try await database.execute("UPDATE promotion_locks SET heartbeat_at = $1 WHERE deployment_id = $2", [.int(Clock.nowMillis()), .text(id)])
    }

    /// Gives up the leases of promotions this replica stops running (a graceful shutdown), so the
    /// next replica to look takes them over at once instead of after the lease.
    public func releaseLeases(_ ids: [String]) async throws {
        for id in ids {
            try await database.execute("UPDATE promotion_locks SET heartbeat_at = 0 WHERE deployment_id = $1", [.text(id)])
        }
    }

    /// Takes over promotions whose replica stopped renewing their lease for `leaseMillis`: each is
    /// claimed with a conditional update, so of several replicas sweeping at once exactly one wins it.
    public func claimAbandoned(leaseMillis: Int64) async throws -> [Deployment] {
        let now = Clock.nowMillis()
        let stale = try await database.query(
            "SELECT deployment_id, heartbeat_at FROM promotion_locks WHERE heartbeat_at < $1", [.int(now - leaseMillis)])
        var claimed: [Deployment] = []
        for row in stale {
            let id = row.string(0)
            let won = try await database.query(
                "UPDATE promotion_locks SET heartbeat_at = $1 WHERE deployment_id = $2 AND heartbeat_at = $3 RETURNING target",
                [.int(now), .text(id), .int(row.int(1))])
            guard !won.isEmpty else { continue }
            if let deployment = try? await deployment(id: id) {
                claimed.append(deployment)
            } else {
                try await database.execute("DELETE FROM promotion_locks WHERE deployment_id = $1", [.text(id)])
            }
        }
        return claimed
    }

    /// The models with a deployment on `target` that is serving or on its way (not failed), for
    /// the object-name collision check.
    public func deployedModels(target: String) async throws -> [String] {
        try await database.query(
            "SELECT DISTINCT model FROM deployments WHERE target = $1 AND status NOT IN ('failed', 'rolled_back')", [.text(target)]
        ).map { $0.string(0) }
    }

    /// The target's most recent `ready` deployment: what serves there now, as far as Cairn knows.
    public func latestReady(target: String) async throws -> Deployment? {
        try await database.query(
            "SELECT \(Self.columns) FROM deployments WHERE target = $1 AND status = 'ready' ORDER BY created_at DESC, id DESC LIMIT 1",
            [.text(target)]
        ).first.map(Self.deployment)
    }

    public func deployment(id: String) async throws -> Deployment {
        guard let row = try await database.query("SELECT \(Self.columns) FROM deployments WHERE id = $1", [.text(id)]).first else {
            throw CairnError.notFound("No deployment with id \(id)")
        }
        return Self.deployment(row)
    }

    /// Ledger entries, newest first, optionally for one target and/or model.
    public func deployments(target: String?, model: String?, limit: Int = 100) async throws -> [Deployment] {
        var builder = SQLBuilder("SELECT \(Self.columns) FROM deployments WHERE 1=1", dialect: database.dialect)
        if let target { builder.append(" AND target = \(builder.bind(.text(target)))") }
        if let model { builder.append(" AND model = \(builder.bind(.text(model)))") }
        builder.append(" ORDER BY created_at DESC, id DESC LIMIT \(builder.bind(.int(Int64(limit))))")
        return try await database.query(builder).map(Self.deployment)
    }

    /// Promotions that were in flight when a server stopped (non-final and still holding a lock).
    public func unfinished() async throws -> [Deployment] {
        try await database.query(
            "SELECT \(Self.columns.split(separator: ",").map { "d." + String($0).trimmingWhitespace() }.joined(separator: ", ")) FROM deployments d JOIN promotion_locks l ON l.deployment_id = d.id ORDER BY d.created_at",
            []
        ).map(Self.deployment)
    }

    static func deployment(_ row: SQLRow) -> Deployment {
        Deployment(
            id: row.string(0), model: row.string(1), version: row.int(2), target: row.string(3),
            status: DeploymentStatus(rawValue: row.string(4)) ?? .failed,
            manifest: row.string(5), message: row.string(6), previousDeploymentID: row.optionalString(7), actor: row.string(8), createdAt: row.int(9),
            updatedAt: row.int(10))
    }
}
