import CairnCore
import Testing

@Suite struct PrincipalTests {
    static let admin = Principal.token(APIToken(name: "ops", scope: .admin, createdAt: 0))
    static let deployer = Principal.token(APIToken(name: "ci", scope: .write, createdAt: 0, allowedTargets: ["staging"]))
    static let writer = Principal.token(APIToken(name: "trainer", scope: .write, createdAt: 0))
    static let reader = Principal.token(APIToken(name: "viewer", scope: .read, createdAt: 0, allowedTargets: ["staging"]))

    @Test func promotionRightsFollowTheTokenAndTheSignature() {
        #expect(Self.admin.mayPromote(to: "prod") && Self.admin.mayPromoteEverywhere)
        #expect(Self.deployer.mayPromote(to: "staging") && !Self.deployer.mayPromote(to: "prod") && !Self.deployer.mayPromoteEverywhere)
        #expect(!Self.writer.mayPromote(to: "staging"))
        #expect(!Self.reader.mayPromote(to: "staging"))
        #expect(Principal.webhook(target: "prod").mayPromote(to: "prod"))
        #expect(!Principal.webhook(target: "prod").mayPromote(to: "staging"))
        #expect(!Principal.promotionWorker(actor: "ops").mayPromote(to: "prod"))
    }

    @Test func withAuthenticationOffEveryCallerHoldsEveryRight() {
        #expect(Principal.unauthenticated.mayPromote(to: "prod") && Principal.unauthenticated.mayPromoteEverywhere)
    }

    @Test func theAuditNameIsTheTokenNameNeverItsSecret() {
        #expect(Self.deployer.auditName == "ci")
        #expect(Principal.unauthenticated.auditName == "anonymous")
        #expect(Principal.webhook(target: "prod").auditName == "webhook")
        #expect(Principal.promotionWorker(actor: "ci").auditName == "ci")
    }
}
