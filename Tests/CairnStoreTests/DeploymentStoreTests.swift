import CairnCore
import CairnStore
import Testing

@Suite struct DeploymentStoreTests {
    @Test(arguments: Engine.available)
    func oneTargetTakesOnePromotionAtATimeAndRecordsItsRollbackPoint(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let ledger = DeploymentStore(database: store.database)
            let first = try await ledger.begin(model: "fraud", version: 1, target: "prod", manifest: "{}", actor: .unauthenticated)
            #expect(first.previousDeploymentID == nil)
            let busy = await #expect(throws: CairnError.self) {
                _ = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}", actor: .unauthenticated)
            }
            #expect(busy?.code == .resourceConflict)
            #expect(busy?.message.contains(first.id) == true)
            _ = try await ledger.begin(model: "fraud", version: 2, target: "staging", manifest: "{}", actor: .unauthenticated)
            #expect(try await ledger.unfinished().map(\.target).sorted() == ["prod", "staging"])
            try await ledger.update(first.id, status: .waiting, message: "applied")
            await #expect(throws: CairnError.self) {
                _ = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}", actor: .unauthenticated)
            }
            try await ledger.update(first.id, status: .ready, message: "ready")
            let second = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}", actor: .unauthenticated)
            #expect(second.previousDeploymentID == first.id)
            try await ledger.update(second.id, status: .failed, message: "timeout")
            let third = try await ledger.begin(model: "fraud", version: 3, target: "prod", manifest: "{}", actor: .unauthenticated)
            #expect(third.previousDeploymentID == first.id, "a failed deployment is never a rollback point")
            #expect(try await ledger.deployment(id: first.id).status == .ready)
            #expect(try await ledger.deployments(target: "prod", model: nil).map(\.id) == [third.id, second.id, first.id])
        }
    }

    @Test(arguments: Engine.available)
    func idempotencyKeysReplayRefuseOtherBodiesAndReportInFlight(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let keys = IdempotencyStore(database: store.database)
            guard case .proceed(let k1) = try await keys.begin(key: "k1", bodySHA256: "aaa") else {
                Issue.record("k1 did not proceed")
                return
            }
            #expect(try await keys.begin(key: "k1", bodySHA256: "aaa") == .inFlight)
            #expect(try await keys.begin(key: "k1", bodySHA256: "bbb") == .differentBody)
            try await keys.finish(key: "k1", startedAt: k1, status: 202, response: #"{"deployment_id":"d-1"}"#)
            #expect(try await keys.begin(key: "k1", bodySHA256: "aaa") == .replay(status: 202, response: #"{"deployment_id":"d-1"}"#))
            guard case .proceed(let k2) = try await keys.begin(key: "k2", bodySHA256: "aaa") else {
                Issue.record("k2 did not proceed")
                return
            }
            try await keys.abandon(key: "k2", startedAt: k2)
            guard case .proceed = try await keys.begin(key: "k2", bodySHA256: "aaa") else {
                Issue.record("k2 was not forgotten")
                return
            }
        }
    }

    /// A key left in flight by a replica that died is taken over after the lease, by one caller
    /// only; the old owner's late finish or abandon then changes nothing. A webhook signature is
    /// accepted with one Idempotency-Key until its record expires.
    @Test(arguments: Engine.available)
    func staleKeysAreTakenOverOnceAndSignaturesAreUsedOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let keys = IdempotencyStore(database: store.database)
            guard case .proceed(let first) = try await keys.begin(key: "k", bodySHA256: "d", staleAfterMillis: 30_000) else {
                Issue.record("first begin did not proceed")
                return
            }
            #expect(try await keys.begin(key: "k", bodySHA256: "d", staleAfterMillis: 30_000) == .inFlight)
            try await Task.sleep(for: .milliseconds(20))
            guard case .proceed(let second) = try await keys.begin(key: "k", bodySHA256: "d", staleAfterMillis: 5) else {
                Issue.record("the stale key was not taken over")
                return
            }
            #expect(second > first)
            // The presumed-dead owner comes back: its abandon and finish leave the new owner's row alone.
            try await keys.abandon(key: "k", startedAt: first)
            try await keys.finish(key: "k", startedAt: first, status: 500, response: "late")
            #expect(try await keys.begin(key: "k", bodySHA256: "d", staleAfterMillis: 30_000) == .inFlight)
            try await keys.finish(key: "k", startedAt: second, status: 202, response: "{}")
            #expect(try await keys.begin(key: "k", bodySHA256: "d") == .replay(status: 202, response: "{}"))
            #expect(try await keys.begin(key: "k", bodySHA256: "other", staleAfterMillis: 5) == .differentBody)

            let later = Clock.nowMillis() + 60_000
            #expect(try await keys.claim(signature: "1.ab", key: "k", expiresAt: later))
            #expect(try await keys.claim(signature: "1.ab", key: "k", expiresAt: later), "the same key may come again")
            #expect(try await !keys.claim(signature: "1.ab", key: "j", expiresAt: later), "another key is a replay")
            #expect(try await keys.claim(signature: "2.cd", key: "k", expiresAt: Clock.nowMillis() - 1))
            #expect(try await keys.claim(signature: "2.cd", key: "j", expiresAt: later), "an expired record is forgotten")
        }
    }

    @Test(arguments: Engine.available)
    func anAbandonedLeaseIsClaimedByExactlyOneSweeperAndALiveOneIsNot(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let ledger = DeploymentStore(database: store.database)
            let live = try await ledger.begin(model: "fraud", version: 1, target: "prod", manifest: "[]", actor: .unauthenticated)
            let dead = try await ledger.begin(model: "fraud", version: 1, target: "staging", manifest: "[]", actor: .unauthenticated)
            #expect(try await ledger.claimAbandoned(leaseMillis: 60_000).isEmpty, "fresh leases are not abandoned")
            try await ledger.releaseLeases([dead.id])
            try await ledger.heartbeat(live.id)
            // Two replicas sweep at once: the released lease goes to exactly one of them.
            async let first = ledger.claimAbandoned(leaseMillis: 60_000)
            async let second = ledger.claimAbandoned(leaseMillis: 60_000)
            let claims = try await [first, second]
            #expect(claims.flatMap { $0 }.map(\.id) == [dead.id])
            #expect(try await ledger.claimAbandoned(leaseMillis: 60_000).isEmpty, "a claim renews the lease")
            // Finishing releases the lock: nothing is left to claim or to block the target.
            try await ledger.update(dead.id, status: .failed, message: "gave up")
            try await ledger.releaseLeases([dead.id])
            #expect(try await ledger.claimAbandoned(leaseMillis: 0).map(\.id) == [live.id])
            #expect(try await ledger.deployedModels(target: "staging").isEmpty, "failed deployments do not hold object names")
            #expect(try await ledger.deployedModels(target: "prod") == ["fraud"])
            #expect(try await ledger.latestReady(target: "prod") == nil)
            try await ledger.update(live.id, status: .ready, message: "ready")
            #expect(try await ledger.latestReady(target: "prod")?.id == live.id)
        }
    }
}
