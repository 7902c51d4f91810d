import CairnCore
import Testing

@Suite struct PromotionStateMachineTests {
    @Test func aHealthyPromotionAppliesWaitsMovesTheAliasAndEndsReady() {
        var machine = PromotionStateMachine(rollbackOnFailure: true, hasPrevious: true)
        #expect(machine.start() == .apply)
        #expect(machine.status == .applying)
        #expect(machine.applied() == .pollReadiness)
        #expect(machine.status == .waiting)
        #expect(machine.becameReady() == .moveAlias)
        #expect(machine.aliasMoved() == .finish(.ready, message: "ready"))
        #expect(machine.status == .ready)
    }

    @Test func aTimeoutRollsBackToThePreviousManifestWhenConfigured() {
        var machine = PromotionStateMachine(rollbackOnFailure: true, hasPrevious: true)
        _ = machine.start()
        _ = machine.applied()
        #expect(machine.failed("not ready within 10m") == .applyPrevious)
        #expect(machine.status == .applying)
        #expect(machine.applied() == .finish(.rolledBack, message: "rolled back: not ready within 10m"))
        #expect(machine.status == .rolledBack)
    }

    @Test(arguments: [(false, true), (true, false)])
    func withoutRollbackOrAPreviousDeploymentAFailureIsFinal(rollback: Bool, previous: Bool) {
        var machine = PromotionStateMachine(rollbackOnFailure: rollback, hasPrevious: previous)
        _ = machine.start()
        #expect(machine.failed("apply rejected") == .finish(.failed, message: "apply rejected"))
        #expect(machine.status == .failed)
    }

    @Test func aFailedRollbackIsReportedWithBothReasons() {
        var machine = PromotionStateMachine(rollbackOnFailure: true, hasPrevious: true)
        _ = machine.start()
        _ = machine.failed("admission webhook denied")
        #expect(
            machine.failed("cluster unreachable") == .finish(.failed, message: "admission webhook denied; rollback failed too: cluster unreachable"))
    }
}
