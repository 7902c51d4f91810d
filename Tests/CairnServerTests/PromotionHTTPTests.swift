import CairnArtifacts
import CairnCore
import CairnDeploy
import CairnPromotion
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import CairnServer

/// The promotion routes' refusals, in process: none of these calls may reach a cluster (the
/// target's kubeconfig points at a closed port) or write the ledger. The flows that do reach a
/// cluster run against the real kube-apiserver in Tests/promotion (Python, driven like a CI job).
@Suite struct PromotionHTTPTests {
    static let adminSecret = "cairn_admin_" + String(repeating: "7", count: 40)
    static let webhookSecret = "whsec-" + String(repeating: "ab", count: 16)

    /// A kubeconfig whose server is a closed loopback port: any call to the cluster would fail
    /// with 503, which the refusals below must never reach.
    static func unreachableKubeconfig(in root: URL) throws -> String {
        let path = root.appendingPathComponent("kubeconfig").path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u, namespace: ml}}]
        current-context: x
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func withServer<T: Sendable>(
        auth: AuthConfiguration.Mode = .none, defaultSecret: String? = webhookSecret, prodSettings: String = "",
        _ body: @Sendable (any TestClientProtocol, TokenStore, DeploymentStore) async throws -> T
    ) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-promo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let logger = Logger(label: "test")
        let kubeconfig = try unreachableKubeconfig(in: root)
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let tokens = TokenStore(database: database)
        try await tokens.seed(name: "admin-env", scope: .admin, secret: adminSecret)
        var configuration = PromotionConfiguration(
            targets: try TargetsFile.parse(
                """
                targets:
                  - {name: prod, kind: kserve, namespace: ml, kubeconfig: \(kubeconfig), storage_uri_prefix: "s3://models"\(prodSettings)}
                  - {name: staging, kind: kserve, namespace: ml-staging, kubeconfig: \(kubeconfig)}
                """),
            defaultWebhookSecret: defaultSecret)
        configuration.lease = .seconds(30)
        let registry = SQLRegistryStore(tracking: store)
        let ledger = DeploymentStore(database: database)
        let promotion = PromotionService(
            configuration: configuration, registry: registry, tracking: store, ledger: ledger,
            clusters: try await ClusterConnections(targets: configuration.targets, environment: [:], logger: logger), logger: logger)
        var authConfiguration = AuthConfiguration()
        authConfiguration.mode = auth
        let router = buildRouter(
            store: store, registry: registry, artifacts: try await LocalArtifactStore(root: root.appendingPathComponent("a").path),
            tokens: tokens, auth: authConfiguration, promotion: promotion)
        let result = try await Application(router: router, logger: logger).test(.router) { client in try await body(client, tokens, ledger) }
        await promotion.clusters.shutdown()
        await database.close()
        return result
    }

    static func signed(_ body: String, secret: String = webhookSecret, at time: Int64 = Clock.nowMillis() / 1000, key: String? = "k-1") -> HTTPFields
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.init(WebhookSignature.header)!] = WebhookSignature.sign(body: Array(body.utf8), secret: secret, timestamp: time)
        if let key { headers[.init("Idempotency-Key")!] = key }
        return headers
    }

    static let body = #"{"model":"fraud","alias":"champion","target":"prod"}"#

    func webhook(_ client: any TestClientProtocol, _ body: String = Self.body, headers: HTTPFields) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.execute(
            uri: "/api/cairn/v1/webhooks/promote", method: .post, headers: headers, body: ByteBuffer(string: body))
        return (response.status, String(buffer: response.body))
    }

    @Test func forgedStaleAndUnsignedWebhookCallsAre401AndLeaveTheLedgerEmpty() async throws {
        try await Self.withServer { client, _, ledger in
            let forged = try await webhook(client, headers: Self.signed(Self.body, secret: "not-the-secret"))
            #expect(forged.0 == .unauthorized)
            #expect(forged.1.contains("Invalid signature"))
            let stale = try await webhook(client, headers: Self.signed(Self.body, at: Clock.nowMillis() / 1000 - 360))
            #expect(stale.0 == .unauthorized)
            #expect(stale.1.contains("Stale signature"))
            // A minute past the 300 s window: at +301 s, the second the timestamp is truncated to
            // plus a slow machine's delay before the check brought it back inside (CI saw a 404).
            let future = try await webhook(client, headers: Self.signed(Self.body, at: Clock.nowMillis() / 1000 + 360))
            #expect(future.0 == .unauthorized)
            let unsigned = try await webhook(client, headers: [.contentType: "application/json", .init("Idempotency-Key")!: "k"])
            #expect(unsigned.0 == .unauthorized)
            #expect(unsigned.1.contains("UNAUTHENTICATED"))
            // A signature over another body does not carry over.
            var tampered = Self.signed(Self.body)
            tampered[.contentType] = "application/json"
            let other = try await webhook(client, #"{"model":"fraud","version":"1","target":"prod"}"#, headers: tampered)
            #expect(other.0 == .unauthorized)
            #expect(try await ledger.deployments(target: nil, model: nil).isEmpty)
        }
    }

    @Test func aWebhookCallWithoutAnIdempotencyKeyIs400() async throws {
        try await Self.withServer { client, _, ledger in
            let (status, text) = try await webhook(client, headers: Self.signed(Self.body, key: nil))
            #expect(status == .badRequest)
            #expect(text.contains("Idempotency-Key"))
            let (tooLong, _) = try await webhook(client, headers: Self.signed(Self.body, key: String(repeating: "k", count: 256)))
            #expect(tooLong == .badRequest)
            #expect(try await ledger.deployments(target: nil, model: nil).isEmpty)
        }
    }

    @Test func withNoSecretConfiguredTheWebhookRefusesEveryCallWith403() async throws {
        try await Self.withServer(defaultSecret: nil) { client, _, _ in
            let (status, text) = try await webhook(client, headers: Self.signed(Self.body))
            #expect(status == .forbidden)
            #expect(text.contains("PERMISSION_DENIED"))
            #expect(text.contains("CAIRN_WEBHOOK_SECRET"))
        }
    }

    @Test func unknownTargetModelAndAliasAre404InTheErrorFormat() async throws {
        try await Self.withServer { client, _, ledger in
            for body in [
                #"{"model":"fraud","version":"1","target":"nowhere"}"#, #"{"model":"fraud","version":"1","target":"prod"}"#,
                #"{"model":"fraud","alias":"champion","target":"prod"}"#,
            ] {
                let (status, text) = try await webhook(client, body, headers: Self.signed(body, key: UUID().uuidString))
                #expect(status == .notFound, "\(body)")
                #expect(text.contains("RESOURCE_DOES_NOT_EXIST"), "\(text)")
            }
            // A refused call forgets its key: a corrected retry with the same key goes ahead.
            let (_, created) = try await client.json(.post, "/api/2.0/mlflow/registered-models/create", #"{"name":"fraud"}"#)
            #expect(created["registered_model"] != nil)
            let missingVersion = #"{"model":"fraud","version":"7","target":"prod"}"#
            let (status, _) = try await webhook(client, missingVersion, headers: Self.signed(missingVersion, key: "retry"))
            #expect(status == .notFound)
            let again = #"{"model":"fraud","version":"8","target":"prod"}"#
            let (retried, text) = try await webhook(client, again, headers: Self.signed(again, key: "retry"))
            #expect(retried == .notFound, "a refused key must not be held as in flight or as another body: \(text)")
            #expect(try await ledger.deployments(target: nil, model: nil).isEmpty)
        }
    }

    @Test func malformedPromotionBodiesAre400() async throws {
        try await Self.withServer { client, _, _ in
            for body in [
                "not json", #"{"version":"1","target":"prod"}"#, #"{"model":"m","target":"prod"}"#,
                #"{"model":"m","version":"1","alias":"a","target":"prod"}"#, #"{"model":"m","version":"x","target":"prod"}"#,
                #"{"model":"m","version":"1"}"#, #"{"model":"m","version":"0","target":"prod"}"#,
            ] {
                let (status, text) = try await webhook(client, body, headers: Self.signed(body, key: UUID().uuidString))
                #expect(status == .badRequest, "\(body): \(text)")
                let (apiStatus, _) = try await client.json(.post, "/api/cairn/v1/promotions", body)
                #expect(apiStatus == .badRequest, "\(body)")
            }
        }
    }

    @Test func aWriteTokenCannotPromoteToATargetItIsNotAllowed() async throws {
        try await Self.withServer(auth: .token) { client, tokens, ledger in
            let limited = try await tokens.create(name: "ci-staging", scope: .write, allowedTargets: ["staging"]).secret
            let reader = try await tokens.create(name: "reader", scope: .read).secret
            func promote(_ target: String, _ secret: String) async throws -> (HTTPResponse.Status, String) {
                let response = try await client.execute(
                    uri: "/api/cairn/v1/promotions", method: .post, headers: [.authorization: "Bearer \(secret)"],
                    body: ByteBuffer(string: #"{"model":"fraud","version":"1","target":"\#(target)"}"#))
                return (response.status, String(buffer: response.body))
            }
            let denied = try await promote("prod", limited)
            #expect(denied.0 == .forbidden)
            #expect(denied.1.contains("may not promote to target 'prod'"))
            #expect(try await promote("prod", reader).0 == .forbidden)
            // Allowed: the request passes authorisation and fails only because the model does not exist.
            #expect(try await promote("staging", limited).0 == .notFound)
            #expect(try await promote("prod", Self.adminSecret).0 == .notFound)
            let rollback = try await client.execute(
                uri: "/api/cairn/v1/targets/prod/rollback", method: .post, headers: [.authorization: "Bearer \(limited)"])
            #expect(rollback.status == .forbidden)
            #expect(try await ledger.deployments(target: nil, model: nil).isEmpty)
        }
    }

    @Test func targetsAreListedWithoutSecrets() async throws {
        try await Self.withServer { client, _, _ in
            let (status, object) = try await client.json(.get, "/api/cairn/v1/targets")
            #expect(status == .ok)
            let targets = try #require(object["targets"] as? [[String: Any]])
            #expect(targets.map { $0["name"] as? String } == ["prod", "staging"])
            #expect(targets.first?["webhook_secret_configured"] as? Bool == true)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            #expect(!text.contains(Self.webhookSecret))
            #expect(try await client.json(.get, "/api/cairn/v1/targets/none").0 == .notFound)
            #expect(try await client.json(.get, "/api/cairn/v1/deployments/d-none").0 == .notFound)
            let (_, empty) = try await client.json(.get, "/api/cairn/v1/deployments?target=prod")
            #expect((empty["deployments"] as? [Any])?.isEmpty == true)
        }
    }
}

extension PromotionService {
    /// A promotion service without targets, for tests that only need the routes registered.
    static func withoutTargets(database: any SQLDatabase, store: SQLTrackingStore) async throws -> PromotionService {
        let logger = Logger(label: "test")
        return PromotionService(
            configuration: PromotionConfiguration(), registry: SQLRegistryStore(tracking: store), tracking: store,
            ledger: DeploymentStore(database: database),
            clusters: try await ClusterConnections(targets: TargetsFile(targets: []), environment: [:], logger: logger), logger: logger)
    }
}
