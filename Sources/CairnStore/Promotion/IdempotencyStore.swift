import CairnCore

/// Webhook idempotency: the first request with a key is recorded in flight; its response is
/// stored and replayed for the same key and body; another body under the same key is refused.
public struct IdempotencyStore: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    public enum Outcome: Sendable, Equatable {
        /// First time (or a stale key taken over): go ahead, then call
        /// ``finish(key:startedAt:status:response:)`` or ``abandon(key:startedAt:)`` with `startedAt`.
        case proceed(startedAt: Int64)
        /// Seen with the same body and finished: answer this again.
        case replay(status: Int, response: String)
        /// Seen with another body: 422.
        case differentBody
        /// Seen with the same body, still being processed: 409.
        case inFlight
    }

    /// Records `key` as in flight, or says what was recorded before. A key left in flight for
    /// longer than `staleAfterMillis` (its replica crashed; the promotion lease has run out) is
    /// taken over instead of answering 409 forever.
    public func begin(key: String, bodySHA256: String, staleAfterMillis: Int64 = 30_000) async throws -> Outcome {
        let now = Clock.nowMillis()
        do {
            try await database.execute(
                "INSERT INTO webhook_deliveries (idempotency_key, body_sha256, created_at) VALUES ($1, $2, $3)",
                [.text(key), .text(bodySHA256), .int(now)])
            return .proceed(startedAt: now)
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            guard
                let row = try await database.query(
                    "SELECT body_sha256, status, response, created_at FROM webhook_deliveries WHERE idempotency_key = $1", [.text(key)]
                ).first
            else { return .inFlight }
            if row.string(0) != bodySHA256 { return .differentBody }
            if let status = row.optionalInt(1) { return .replay(status: Int(status), response: row.string(2)) }
            let startedAt = row.int(3)
            guard now - startedAt > staleAfterMillis else { return .inFlight }
            // Only one of several replicas retrying at once takes the stale key over.
            let taken = try await database.query(
                "UPDATE webhook_deliveries SET created_at = $1 WHERE idempotency_key = $2 AND status IS NULL AND created_at = $3 RETURNING idempotency_key",
                [.int(now), .text(key), .int(startedAt)])
            return taken.isEmpty ? .inFlight : .proceed(startedAt: now)
        }
    }

    /// Records that the webhook signature `signature` (see `WebhookSignature.replayKey`) was used
    /// with `key`, until `expiresAt` (unix milliseconds). Returns false when it was already used
    /// with another key: a captured call replayed under a new Idempotency-Key. The same key may
    /// come again (a CI retry gets the stored answer). Expired signatures are dropped on the way.
    public func claim(signature: String, key: String, expiresAt: Int64) async throws -> Bool {
        try await database.execute("DELETE FROM webhook_signatures WHERE expires_at < $1", [.int(Clock.nowMillis())])
        do {
            try await database.execute(
                "INSERT INTO webhook_signatures (signature, idempotency_key, expires_at) VALUES ($1, $2, $3)",
                [.text(signature), .text(key), .int(expiresAt)])
            return true
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            let rows = try await database.query("SELECT idempotency_key FROM webhook_signatures WHERE signature = $1", [.text(signature)])
            return rows.first?.string(0) == key
        }
    }

    /// Stores the answer of the request that began at `startedAt`; a replica whose key was taken
    /// over meanwhile (it was presumed dead) changes nothing.
    public func finish(key: String, startedAt: Int64, status: Int, response: String) async throws {
        try await database.execute(
            "UPDATE webhook_deliveries SET status = $1, response = $2 WHERE idempotency_key = $3 AND created_at = $4",
            [.int(Int64(status)), .text(response), .text(key), .int(startedAt)])
    }

    /// Forgets a key whose request (begun at `startedAt`) failed before doing anything, so a
    /// retry can proceed; a key taken over since is left to its new owner.
    public func abandon(key: String, startedAt: Int64) async throws {
        try await database.execute(
            "DELETE FROM webhook_deliveries WHERE idempotency_key = $1 AND status IS NULL AND created_at = $2", [.text(key), .int(startedAt)])
    }
}
