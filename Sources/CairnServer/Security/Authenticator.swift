import CairnCore
import CairnStore
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Checks the credential of a request against the token store: `Authorization: Bearer <token>`
/// (MLFLOW_TRACKING_TOKEN) or `Authorization: Basic` with the token as password
/// (MLFLOW_TRACKING_USERNAME/PASSWORD). Verified tokens are cached for a few seconds so the hot
/// path (log-metric) does not query the database; `last_used_at` is written at most once a minute.
final class Authenticator: Sendable {
    let configuration: AuthConfiguration
    let tokens: TokenStore?
    /// Dashboard sign-in sessions; a request without an `Authorization` header may authenticate
    /// with the session cookie instead.
    let sessions: SessionStore?
    private let cache = NIOLockedValueBox<[String: CacheEntry]>([:])
    /// Digests of credentials the store did not know, with when it said so: a client retrying a
    /// bad token is answered from here for ``missSeconds`` instead of querying the database.
    private let misses = NIOLockedValueBox<[String: Int64]>([:])
    private let limiter: RateLimiter?
    /// Database lookups of credentials not in the cache, across all clients: a flood of random
    /// tokens costs the database at most this many queries a second (the rest get 429).
    private let lookups = RateLimiter(perSecond: Authenticator.lookupsPerSecond)

    static let missSeconds: Int64 = 5
    static let maximumMisses = 10_000
    static let lookupsPerSecond = 200

    private struct CacheEntry {
        var token: APIToken
        var verifiedAt: Int64
        var touchedAt: Int64
    }

    init(configuration: AuthConfiguration, tokens: TokenStore?, sessions: SessionStore? = nil) {
        self.configuration = configuration
        self.tokens = tokens
        self.sessions = sessions
        self.limiter = configuration.rateLimitPerSecond.map { RateLimiter(perSecond: $0) }
    }

    /// Who sends the request, after checking their token grants `scope`: ``Principal/unauthenticated``
    /// only when authentication is off.
    /// - Throws: 401 `UNAUTHENTICATED` (no or bad credential, or no token store to check it
    ///   against), 403 `PERMISSION_DENIED` (scope too low), 429 when the token's rate limit is exceeded.
    func authorize(_ request: Request, scope: TokenScope) async throws -> Principal {
        guard configuration.mode == .token else { return .unauthenticated }
        guard let tokens else { throw CairnError(.unauthenticated, "Authentication is on but this server has no token store") }
        guard let secret = Self.credential(request) else {
            if let sessions, let id = Self.sessionID(request) {
                if let wait = lookups.acquire("lookup") { throw RateLimitedError(retryAfterSeconds: wait) }
                guard let token = try await sessions.token(session: id) else {
                    throw CairnError(.unauthenticated, "The dashboard session has ended (signed out, expired, or its token revoked): sign in again")
                }
                return try admit(token, scope: scope)
            }
            throw CairnError(
                .unauthenticated,
                "Authentication required: send an API token as 'Authorization: Bearer <token>' (MLFLOW_TRACKING_TOKEN) or as the Basic password")
        }
        let now = Clock.nowMillis()
        let key = TokenStore.digest(secret)
        var token: APIToken
        if let entry = cache.withLockedValue({ $0[key] }), now - entry.verifiedAt < configuration.cacheSeconds * 1000, entry.token.isActive(at: now) {
            token = entry.token
        } else {
            let invalid = CairnError(.unauthenticated, "Invalid, expired or revoked API token")
            if let missedAt = misses.withLockedValue({ $0[key] }), now - missedAt < Self.missSeconds * 1000 { throw invalid }
            // A credential verified before (its cache entry only expired) is looked up regardless:
            // a flood of random tokens must not lock out the real ones.
            let known = cache.withLockedValue { $0[key] != nil }
            if !known, let wait = lookups.acquire("lookup") { throw RateLimitedError(retryAfterSeconds: wait) }
            guard let found = try await tokens.authenticate(secret: secret, now: now) else {
                cache.withLockedValue { $0[key] = nil }
                misses.withLockedValue { misses in
                    if misses.count >= Self.maximumMisses { misses.removeAll(keepingCapacity: true) }
                    misses[key] = now
                }
                throw invalid
            }
            misses.withLockedValue { _ = $0.removeValue(forKey: key) }
            token = found
            let touchedAt = cache.withLockedValue { $0[key]?.touchedAt } ?? 0
            cache.withLockedValue { $0[key] = CacheEntry(token: found, verifiedAt: now, touchedAt: touchedAt) }
        }
        if now - (cache.withLockedValue { $0[key]?.touchedAt } ?? 0) > 60_000 {
            cache.withLockedValue { $0[key]?.touchedAt = now }
            try? await tokens.touch(name: token.name, at: now)
            token.lastUsedAt = now
        }
        return try admit(token, scope: scope)
    }

    /// An authenticated token's request, if its scope allows it and its rate limit has room.
    private func admit(_ token: APIToken, scope: TokenScope) throws -> Principal {
        guard token.scope >= scope else {
            throw CairnError(.permissionDenied, "Token '\(token.name)' has scope '\(token.scope.rawValue)'; this request needs '\(scope.rawValue)'")
        }
        if let limiter, let wait = limiter.acquire(token.name) {
            throw RateLimitedError(retryAfterSeconds: wait)
        }
        return .token(token)
    }

    /// The cookie that carries a dashboard session.
    static let sessionCookie = "cairn_session"

    /// The dashboard session id from the `Cookie` header, if any.
    static func sessionID(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == sessionCookie {
                    let value = parts[1].trimmingCharacters(in: .whitespaces)
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }

    /// Drops a token from the cache so a revocation takes effect on this replica at once.
    func forget(tokenNamed name: String) {
        cache.withLockedValue { $0 = $0.filter { $0.value.token.name != name } }
    }

    /// The secret from `Authorization: Bearer` or the password of `Authorization: Basic`.
    static func credential(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let value = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return value.isEmpty ? nil : value
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
                return nil
            }
            let password = String(text[text.index(after: colon)...])
            return password.isEmpty ? nil : password
        default:
            return nil
        }
    }
}

/// A request over its token's rate limit; answered 429 with `Retry-After`.
struct RateLimitedError: Error {
    let retryAfterSeconds: Int
}
