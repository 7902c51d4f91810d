import CairnCore

/// Webhook idempotency: the first request with a key is recorded in flight; its response is
/// stored and replayed for the same key and body; another body under the same key is refused.
public struct IdempotencyStore: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    public enum Outcome: Sendable, Equatable {
        /// First time: go ahead, then call ``finish(key:status:response:)``.
        case proceed
        /// Seen with the same body and finished: answer this again.
        case replay(status: Int, response: String)
        /// Seen with another body: 422.
        case differentBody
        /// Seen with the same body, still being processed: 409.
        case inFlight
    }

    public func begin(key: String, bodySHA256: String) async throws -> Outcome {
        do {
            try await database.execute(
                "INSERT INTO webhook_deliveries (idempotency_key, body_sha256, created_at) VALUES ($1, $2, $3)",
                [.text(key), .text(bodySHA256), .int(Clock.nowMillis())])
            return .proceed
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            guard let row = try await database.query(
                "SELECT body_sha256, status, response FROM webhook_deliveries WHERE idempotency_key = $1", [.text(key)]).first
            else { return .inFlight }
            if row.string(0) != bodySHA256 { return .differentBody }
            guard let status = row.optionalInt(1) else { return .inFlight }
            return .replay(status: Int(status), response: row.string(2))
        }
    }

    public func finish(key: String, status: Int, response: String) async throws {
        try await database.execute(
            "UPDATE webhook_deliveries SET status = $1, response = $2 WHERE idempotency_key = $3", [.int(Int64(status)), .text(response), .text(key)])
    }

    /// Forgets a key whose request failed before doing anything, so a retry can proceed.
    public func abandon(key: String) async throws {
        try await database.execute("DELETE FROM webhook_deliveries WHERE idempotency_key = $1 AND status IS NULL", [.text(key)])
    }
}
