import CairnCore
import CairnStore
import Testing

@Suite struct DeploymentStoreTests {
    @Test(arguments: Engine.available)
    func oneTargetTakesOnePromotionAtATimeAndRecordsItsRollbackPoint(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let ledger = DeploymentStore(database: store.database)
            let first = try await ledger.begin(model: "fraud", version: 1, target: "prod", manifest: "{}")
            #expect(first.previousDeploymentID == nil)
            let busy = await #expect(throws: CairnError.self) { _ = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}") }
            #expect(busy?.code == .resourceConflict)
            #expect(busy?.message.contains(first.id) == true)
            _ = try await ledger.begin(model: "fraud", version: 2, target: "staging", manifest: "{}")
            #expect(try await ledger.unfinished().map(\.target).sorted() == ["prod", "staging"])
            try await ledger.update(first.id, status: .waiting, message: "applied")
            await #expect(throws: CairnError.self) { _ = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}") }
            try await ledger.update(first.id, status: .ready, message: "ready")
            let second = try await ledger.begin(model: "fraud", version: 2, target: "prod", manifest: "{}")
            #expect(second.previousDeploymentID == first.id)
            try await ledger.update(second.id, status: .failed, message: "timeout")
            let third = try await ledger.begin(model: "fraud", version: 3, target: "prod", manifest: "{}")
            #expect(third.previousDeploymentID == first.id, "a failed deployment is never a rollback point")
            #expect(try await ledger.deployment(id: first.id).status == .ready)
            #expect(try await ledger.deployments(target: "prod", model: nil).map(\.id) == [third.id, second.id, first.id])
        }
    }

    @Test(arguments: Engine.available)
    func idempotencyKeysReplayRefuseOtherBodiesAndReportInFlight(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let keys = IdempotencyStore(database: store.database)
            #expect(try await keys.begin(key: "k1", bodySHA256: "aaa") == .proceed)
            #expect(try await keys.begin(key: "k1", bodySHA256: "aaa") == .inFlight)
            #expect(try await keys.begin(key: "k1", bodySHA256: "bbb") == .differentBody)
            try await keys.finish(key: "k1", status: 202, response: #"{"deployment_id":"d-1"}"#)
            #expect(try await keys.begin(key: "k1", bodySHA256: "aaa") == .replay(status: 202, response: #"{"deployment_id":"d-1"}"#))
            #expect(try await keys.begin(key: "k2", bodySHA256: "aaa") == .proceed)
            try await keys.abandon(key: "k2")
            #expect(try await keys.begin(key: "k2", bodySHA256: "aaa") == .proceed)
        }
    }

    @Test(arguments: Engine.available)
    func anAbandonedLeaseIsClaimedByExactlyOneSweeperAndALiveOneIsNot(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let ledger = DeploymentStore(database: store.database)
            let live = try await ledger.begin(model: "fraud", version: 1, target: "prod", manifest: "[]")
            let dead = try await ledger.begin(model: "fraud", version: 1, target: "staging", manifest: "[]")
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
