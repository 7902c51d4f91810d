import CairnCore
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import CairnServer

/// Issue 11's promotion rules: a webhook signature is used once, a key left in flight by a
/// crashed replica is taken over, storage outside a target's allowed prefixes is refused, and the
/// alias a target promotes by is moved only by those allowed the target.
@Suite struct PromotionHardeningTests {
    typealias Server = PromotionHTTPTests

    func webhook(_ client: any TestClientProtocol, _ body: String, headers: HTTPFields) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.execute(
            uri: "/api/cairn/v1/webhooks/promote", method: .post, headers: headers, body: ByteBuffer(string: body))
        return (response.status, String(buffer: response.body))
    }

    @Test func aCapturedWebhookCallCannotBeReplayedUnderANewIdempotencyKey() async throws {
        try await Server.withServer { client, _, _ in
            let headers = Server.signed(Server.body, key: "first")
            let (first, _) = try await webhook(client, Server.body, headers: headers)
            #expect(first == .notFound)  // no such model: the call got past the signature
            var replay = headers
            replay[.init("Idempotency-Key")!] = "second"
            let (replayed, text) = try await webhook(client, Server.body, headers: replay)
            #expect(replayed == .unauthorized)
            #expect(text.contains("Signature already used"))
            // The CI job retrying with its own key is not a replay.
            let (retried, _) = try await webhook(client, Server.body, headers: headers)
            #expect(retried == .notFound)
        }
    }

    @Test func aBodyOverSixtyFourKiBIsRefusedBeforeItIsRead() async throws {
        try await Server.withServer { client, _, _ in
            let big = #"{"model":"fraud","alias":"champion","target":"prod","pad":""# + String(repeating: "x", count: 70_000) + #""}"#
            let (status, text) = try await webhook(client, big, headers: Server.signed(big, key: "big"))
            #expect(status == .contentTooLarge)
            #expect(text.contains("65536"))
        }
    }

    @Test func storageOutsideTheTargetsAllowedPrefixesIsRefused() async throws {
        try await Server.withServer(prodSettings: #", allowed_storage_prefixes: ["s3://models/prod"]"#) { client, _, ledger in
            _ = try await client.json(.post, "/api/2.0/mlflow/registered-models/create", #"{"name":"fraud"}"#)
            let (created, _) = try await client.json(
                .post, "/api/2.0/mlflow/model-versions/create", #"{"name":"fraud","source":"s3://attacker/model"}"#)
            #expect(created == .ok)
            for dryRun in [true, false] {
                let (status, object) = try await client.json(
                    .post, "/api/cairn/v1/promotions", #"{"model":"fraud","version":"1","target":"prod","dry_run":\#(dryRun)}"#)
                #expect(status == .badRequest)
                #expect((object["message"] as? String)?.contains("allowed_storage_prefixes (s3://models/prod)") == true)
            }
            #expect(try await ledger.deployments(target: nil, model: nil).isEmpty)
        }
    }

    @Test func onlyThoseAllowedATargetMayMoveTheAliasItPromotesBy() async throws {
        try await Server.withServer(auth: .token, prodSettings: ", alias_on_ready: champion") { client, tokens, ledger in
            let admin: HTTPFields = [.authorization: "Bearer \(Server.adminSecret)", .contentType: "application/json"]
            func call(_ method: HTTPRequest.Method, _ path: String, _ body: String, _ headers: HTTPFields) async throws -> HTTPResponse.Status {
                try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body)).status
            }
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/create", #"{"name":"fraud"}"#, admin) == .ok)
            #expect(try await call(.post, "/api/2.0/mlflow/model-versions/create", #"{"name":"fraud","source":"s3://models/fraud/1"}"#, admin) == .ok)
            let staging = try await tokens.create(name: "ci-staging", scope: .write, allowedTargets: ["staging"]).secret
            let prod = try await tokens.create(name: "ci-prod", scope: .write, allowedTargets: ["prod"]).secret
            func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)", .contentType: "application/json"] }
            let champion = #"{"name":"fraud","alias":"champion","version":"1"}"#
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/alias", champion, bearer(staging)) == .forbidden)
            #expect(try await call(.delete, "/api/2.0/mlflow/registered-models/alias", champion, bearer(staging)) == .forbidden)
            #expect(
                try await call(.post, "/api/2.0/mlflow/registered-models/alias", #"{"name":"fraud","alias":"other","version":"1"}"#, bearer(staging))
                    == .ok)
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/alias", champion, bearer(prod)) == .ok)
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/alias", champion, admin) == .ok)
            // An alias a promotion to prod was requested by is protected the same way.
            try await ledger.recordPromotionAlias(model: "fraud", alias: "canary", target: "prod")
            let canary = #"{"name":"fraud","alias":"canary","version":"1"}"#
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/alias", canary, bearer(staging)) == .forbidden)
            #expect(try await call(.post, "/api/2.0/mlflow/registered-models/alias", canary, bearer(prod)) == .ok)
        }
    }

    @Test func allowedTargetsAreAListOfValidTargetNames() async throws {
        try await Server.withServer(auth: .token) { client, tokens, _ in
            let admin: HTTPFields = [.authorization: "Bearer \(Server.adminSecret)", .contentType: "application/json"]
            for targets in [#"["a,b"]"#, #"[""]"#, #"["prod\u0000"]"#, #"["a b"]"#] {
                let response = try await client.execute(
                    uri: "/api/cairn/v1/tokens", method: .post, headers: admin,
                    body: ByteBuffer(string: #"{"name":"t-\#(UUID().uuidString.prefix(8))","scope":"write","allowed_targets":\#(targets)}"#))
                #expect(response.status == .badRequest, "\(targets)")
            }
            let created = try await tokens.create(name: "two", scope: .write, allowedTargets: ["prod", "staging"])
            let listed = try await tokens.list().first { $0.name == "two" }
            #expect(listed?.allowedTargets == ["prod", "staging"])
            #expect(created.token.mayPromote(to: "prod") && !created.token.mayPromote(to: "prod,staging"))
        }
    }
}

extension PromotionHardeningTests {
    /// A rename carries a model's aliases to the new name: a write token not allowed the target
    /// may neither take a protected alias away under another name nor bring an alias in under
    /// the name a target promotes by.
    @Test func aRenameCannotCarryAProtectedAliasInOrOut() async throws {
        try await Server.withServer(auth: .token) { client, tokens, ledger in
            let admin: HTTPFields = [.authorization: "Bearer \(Server.adminSecret)", .contentType: "application/json"]
            let staging = try await tokens.create(name: "ci-staging", scope: .write, allowedTargets: ["staging"]).secret
            let writer: HTTPFields = [.authorization: "Bearer \(staging)", .contentType: "application/json"]
            func call(_ path: String, _ body: String, _ headers: HTTPFields) async throws -> HTTPResponse.Status {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)).status
            }
            for name in ["fraud", "evil"] {
                #expect(try await call("/api/2.0/mlflow/registered-models/create", #"{"name":"\#(name)"}"#, admin) == .ok)
                #expect(
                    try await call("/api/2.0/mlflow/model-versions/create", #"{"name":"\#(name)","source":"s3://models/\#(name)/1"}"#, admin) == .ok)
            }
            try await ledger.recordPromotionAlias(model: "fraud", alias: "canary", target: "prod")
            #expect(try await call("/api/2.0/mlflow/registered-models/alias", #"{"name":"fraud","alias":"canary","version":"1"}"#, admin) == .ok)
            #expect(try await call("/api/2.0/mlflow/registered-models/alias", #"{"name":"evil","alias":"canary","version":"1"}"#, writer) == .ok)
            // Out: fraud (with its protected canary) may not be renamed away by this token.
            #expect(try await call("/api/2.0/mlflow/registered-models/rename", #"{"name":"fraud","new_name":"fraud-old"}"#, writer) == .forbidden)
            // In: evil's canary may not arrive as fraud's (after an admin moved fraud aside).
            #expect(try await call("/api/2.0/mlflow/registered-models/rename", #"{"name":"fraud","new_name":"fraud-old"}"#, admin) == .ok)
            #expect(try await call("/api/2.0/mlflow/registered-models/rename", #"{"name":"evil","new_name":"fraud"}"#, writer) == .forbidden)
            #expect(try await call("/api/2.0/mlflow/registered-models/rename", #"{"name":"evil","new_name":"fraud"}"#, admin) == .ok)
        }
    }
}
