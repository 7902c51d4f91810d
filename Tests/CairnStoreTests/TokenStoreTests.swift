import CairnCore
import CairnStore
import Testing

@Suite struct TokenStoreTests {
    @Test(arguments: Engine.available)
    func tokensAuthenticateByTheirSecretOnlyUntilRevokedOrExpired(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let tokens = TokenStore(database: store.database)
            let created = try await tokens.create(name: "ci", scope: .write, allowedTargets: ["prod"])
            #expect(created.secret.hasPrefix("cairn_"))
            #expect(created.secret.count >= 43, "at least 32 random bytes")
            let found = try await tokens.authenticate(secret: created.secret)
            #expect(found?.name == "ci")
            #expect(found?.scope == .write)
            #expect(found?.mayPromote(to: "prod") == true)
            #expect(found?.mayPromote(to: "staging") == false)
            #expect(try await tokens.authenticate(secret: created.secret + "x") == nil)
            let stored = try await store.database.query("SELECT token_hash FROM api_tokens WHERE name = 'ci'", [])
            #expect(stored.first?.string(0) != created.secret, "only a digest is stored")
            #expect(stored.first?.string(0).count == 64)
            let duplicate = await #expect(throws: CairnError.self) { _ = try await tokens.create(name: "ci", scope: .read) }
            #expect(duplicate?.code == .resourceAlreadyExists)
            try await tokens.revoke(name: "ci")
            #expect(try await tokens.authenticate(secret: created.secret) == nil)
            let expiring = try await tokens.create(name: "short", scope: .read, expiresAt: Clock.nowMillis() + 60_000)
            #expect(try await tokens.authenticate(secret: expiring.secret) != nil)
            #expect(try await tokens.authenticate(secret: expiring.secret, now: Clock.nowMillis() + 120_000) == nil)
            #expect(try await tokens.list().map(\.name) == ["ci", "short"])
        }
    }

    @Test(arguments: Engine.available)
    func seedingReplacesTheSecretOfTheSeededToken(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let tokens = TokenStore(database: store.database)
            let first = String(repeating: "a", count: 40)
            let second = String(repeating: "b", count: 40)
            try await tokens.seed(name: "admin-env", scope: .admin, secret: first)
            try await tokens.seed(name: "admin-env", scope: .admin, secret: second)
            #expect(try await tokens.authenticate(secret: first) == nil)
            #expect(try await tokens.authenticate(secret: second)?.scope == .admin)
            await #expect(throws: CairnError.self) { try await tokens.seed(name: "weak", scope: .admin, secret: "short") }
        }
    }
}
