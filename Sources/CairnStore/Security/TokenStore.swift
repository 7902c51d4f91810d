import CairnCore
import Crypto
import Foundation

/// API tokens: created with a random secret shown once, kept only as a SHA-256 digest.
public struct TokenStore: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// A token and its secret, returned once by ``create(name:scope:expiresAt:allowedTargets:)``.
    public struct Created: Sendable {
        public var token: APIToken
        public var secret: String
    }

    /// Creates a token with 32 random bytes of secret (`cairn_` + base64url).
    /// - Throws: 400 for a bad name, `RESOURCE_ALREADY_EXISTS` when the name is taken.
    public func create(name: String, scope: TokenScope, expiresAt: Int64? = nil, allowedTargets: [String] = []) async throws -> Created {
        try APIToken.validateName(name)
        for target in allowedTargets { try APIToken.validateTargetName(target) }
        let secret = Self.newSecret()
        let now = Clock.nowMillis()
        do {
            try await database.execute(
                "INSERT INTO api_tokens (name, token_hash, scope, created_at, expires_at, allowed_targets) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    .text(name), .text(Self.digest(secret)), .text(scope.rawValue), .int(now), expiresAt.map(SQLValue.int) ?? .null,
                    .text(allowedTargets.joined(separator: ",")),
                ]
            )
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            throw CairnError.alreadyExists("A token named '\(name)' already exists")
        }
        return Created(
            token: APIToken(name: name, scope: scope, createdAt: now, expiresAt: expiresAt, allowedTargets: allowedTargets), secret: secret)
    }

    /// Installs (or replaces) a token with a given secret, e.g. `CAIRN_ADMIN_TOKEN` at start.
    public func seed(name: String, scope: TokenScope, secret: String) async throws {
        guard secret.utf8.count >= 32 else {
            throw CairnError.invalidParameter("A seeded token must be at least 32 characters long")
        }
        try await database.execute(
            """
            INSERT INTO api_tokens (name, token_hash, scope, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, scope = excluded.scope, revoked_at = NULL, expires_at = NULL
            """,
            [.text(name), .text(Self.digest(secret)), .text(scope.rawValue), .int(Clock.nowMillis())]
        )
    }

    /// The active token whose secret is `secret`, or nil (unknown, revoked or expired).
    public func authenticate(secret: String, now: Int64 = Clock.nowMillis()) async throws -> APIToken? {
        let digest = Self.digest(secret)
        let rows = try await database.query("SELECT \(Self.columns) FROM api_tokens WHERE token_hash = $1", [.text(digest)])
        guard let row = rows.first, ConstantTime.equal(row.string(7).utf8, digest.utf8) else { return nil }
        let token = Self.token(row)
        return token.isActive(at: now) ? token : nil
    }

    /// Records that a token was used (callers throttle this; it is not on every request).
    public func touch(name: String, at time: Int64 = Clock.nowMillis()) async throws {
        try await database.execute("UPDATE api_tokens SET last_used_at = $1 WHERE name = $2", [.int(time), .text(name)])
    }

    public func list() async throws -> [APIToken] {
        try await database.query("SELECT \(Self.columns) FROM api_tokens ORDER BY name", []).map(Self.token)
    }

    /// Revokes a token; it stops working at once (and within the server's cache lifetime on other replicas).
    public func revoke(name: String) async throws {
        let rows = try await database.query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL RETURNING name", [.int(Clock.nowMillis()), .text(name)])
        guard !rows.isEmpty else { throw CairnError.notFound("No active token named '\(name)'") }
    }

    static let columns = "name, scope, created_at, expires_at, allowed_targets, last_used_at, revoked_at, token_hash"

    static func token(_ row: SQLRow) -> APIToken {
        APIToken(
            name: row.string(0), scope: TokenScope(rawValue: row.string(1)) ?? .read, createdAt: row.int(2), expiresAt: row.optionalInt(3),
            allowedTargets: row.string(4).split(separator: ",").map(String.init), lastUsedAt: row.optionalInt(5), revokedAt: row.optionalInt(6))
    }

    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return "cairn_" + base64.replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256 of a secret. Secrets are 256-bit random, so a plain digest (no salt, no
    /// stretching) is enough to make a leaked table useless.
    public static func digest(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }
}
