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
    public func begin(model: String, version: Int64, target: String, manifest: String) async throws -> Deployment {
        let now = Clock.nowMillis()
        let id = Deployment.newID()
        do {
            return try await database.withTransaction { tx in
                try await tx.execute(
                    "INSERT INTO promotion_locks (target, deployment_id, acquired_at) VALUES ($1, $2, $3)", [.text(target), .text(id), .int(now)])
                let previous = try await tx.query(
                    "SELECT id FROM deployments WHERE target = $1 AND status = 'ready' ORDER BY created_at DESC, id DESC LIMIT 1", [.text(target)]
                ).first?.string(0)
                let deployment = Deployment(
                    id: id, model: model, version: version, target: target, status: .pending, manifest: manifest, previousDeploymentID: previous,
                    actor: RequestActor.name, createdAt: now, updatedAt: now)
                try await tx.execute(
                    """
                    INSERT INTO deployments (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                    """,
                    [
                        .text(id), .text(model), .int(version), .text(target), .text(deployment.status.rawValue), .text(manifest), .text(""),
                        previous.map(SQLValue.text) ?? .null, .text(deployment.actor), .int(now),
                    ])
                return deployment
            }
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            let holder = try await database.query("SELECT deployment_id FROM promotion_locks WHERE target = $1", [.text(target)]).first?.string(0)
            throw CairnError(.resourceConflict, "A promotion to target '\(target)' is already in progress (deployment \(holder ?? "?"))")
        }
    }

    /// Records a state change; a final status also releases the target's lock.
    public func update(_ id: String, status: DeploymentStatus, message: String, manifest: String? = nil) async throws {
        try await database.withTransaction { tx in
            var builder = SQLBuilder("UPDATE deployments SET status = ", dialect: tx.dialect)
            builder.append("\(builder.bind(.text(status.rawValue))), message = \(builder.bind(.text(message))), updated_at = \(builder.bind(.int(Clock.nowMillis())))")
            if let manifest { builder.append(", manifest = \(builder.bind(.text(manifest)))") }
            builder.append(" WHERE id = \(builder.bind(.text(id))) RETURNING target")
            guard let target = try await tx.query(builder).first?.string(0) else { throw CairnError.notFound("No deployment \(id)") }
            if status.isFinal {
                try await tx.execute("DELETE FROM promotion_locks WHERE target = $1 AND deployment_id = $2", [.text(target), .text(id)])
            }
        }
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
            id: row.string(0), model: row.string(1), version: row.int(2), target: row.string(3), status: DeploymentStatus(rawValue: row.string(4)) ?? .failed,
            manifest: row.string(5), message: row.string(6), previousDeploymentID: row.optionalString(7), actor: row.string(8), createdAt: row.int(9),
            updatedAt: row.int(10))
    }
}
