import CairnCore
import CairnStore
import Foundation
import Testing

@Suite struct SessionStoreTests {
    @Test(arguments: Engine.available)
    func aSessionLastsUntilSignOutExpiryOrItsTokensRevocation(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let tokens = TokenStore(database: store.database)
            let sessions = SessionStore(database: store.database)
            let name = "viewer-\(UUID().uuidString.prefix(8))"
            let created = try await tokens.create(name: name, scope: .read)
            let token = try #require(try await tokens.authenticate(secret: created.secret))
            let id = try await sessions.create(for: token)
            #expect(id != created.secret)
            #expect(try await sessions.token(session: id)?.name == name)
            #expect(try await sessions.token(session: id + "x") == nil)
            let stored = try await store.database.query("SELECT session_hash FROM dashboard_sessions WHERE token_name = '\(name)'", [])
            #expect(stored.map { $0.string(0) } == [TokenStore.digest(id)], "only the id's digest is stored")
            #expect(try await sessions.token(session: id, now: Clock.nowMillis() + SessionStore.lifetime + 1) == nil, "expired")
            try await sessions.end(session: id)
            #expect(try await sessions.token(session: id) == nil, "signed out")
            let second = try await sessions.create(for: token)
            try await tokens.revoke(name: name)
            #expect(try await sessions.token(session: second) == nil, "its token revoked")
        }
    }
}
