import CairnCore
import Foundation

/// The dashboard's sign-in sessions: a random id per browser, stored as its digest beside the
/// name of the token that signed in (see migration 0010). A session is only as good as its token:
/// looking one up also checks that the token is still active.
public struct SessionStore: Sendable {
    public let database: any SQLDatabase

    /// How long a session lasts after sign-in.
    public static let lifetime: Int64 = 12 * 3_600_000

    /// The token's columns, as ``TokenStore/token(_:)`` reads them, qualified for the join.
    static let tokenColumns = TokenStore.columns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespaces) }.joined(
        separator: ", ")

    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Starts a session for `token`; returns the id the browser keeps (shown once, stored hashed).
    public func create(for token: APIToken, now: Int64 = Clock.nowMillis()) async throws -> String {
        try await database.execute("DELETE FROM dashboard_sessions WHERE expires_at < $1", [.int(now)])
        let id = TokenStore.newSecret()
        try await database.execute(
            "INSERT INTO dashboard_sessions (session_hash, token_name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            [.text(TokenStore.digest(id)), .text(token.name), .int(now), .int(now + Self.lifetime)])
        return id
    }

    /// The active token of the session `id`, or nil: unknown, expired, signed out, or its token
    /// revoked or expired.
    public func token(session id: String, now: Int64 = Clock.nowMillis()) async throws -> APIToken? {
        let rows = try await database.query(
            """
            SELECT \(Self.tokenColumns) FROM dashboard_sessions s JOIN api_tokens t ON t.name = s.token_name
            WHERE s.session_hash = $1 AND s.expires_at > $2
            """,
            [.text(TokenStore.digest(id)), .int(now)])
        guard let row = rows.first else { return nil }
        let token = TokenStore.token(row)
        return token.isActive(at: now) ? token : nil
    }

    /// Ends the session `id` (signing out); nothing happens for an unknown id.
    public func end(session id: String) async throws {
        try await database.execute("DELETE FROM dashboard_sessions WHERE session_hash = $1", [.text(TokenStore.digest(id))])
    }
}
