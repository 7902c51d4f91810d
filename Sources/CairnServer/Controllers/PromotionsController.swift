import CairnCore
import CairnDeploy
import CairnPromotion
import CairnStore
import Crypto
import Hummingbird

/// Promotion routes (`/api/cairn/v1/...`): the targets, the authenticated promotion API, the
/// signed CI webhook, the deployment ledger and rollback. The rules live in ``PromotionService``;
/// this controller only speaks HTTP.
struct PromotionsController {
    let promotion: PromotionService
    let idempotency: IdempotencyStore
    /// Counts webhook calls by result.
    var metrics = ServerMetrics.disabled

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/cairn/v1/targets", listTargets)
        routes.get("/api/cairn/v1/targets/:name", getTarget)
        routes.post("/api/cairn/v1/targets/:name/rollback", access: .scope(.write), rollback)
        routes.post("/api/cairn/v1/promotions", access: .scope(.write), promote)
        routes.post("/api/cairn/v1/webhooks/promote", access: .open, webhook)
        routes.get("/api/cairn/v1/deployments", listDeployments)
        routes.get("/api/cairn/v1/deployments/:id", getDeployment)
    }

    /// `{"model", "version" | "alias", "target", "dry_run"}`.
    struct PromotionBody: Decodable {
        let model: String?
        let version: FlexibleString?
        let alias: String?
        let target: String?
        let dry_run: Bool?

        func request() throws(CairnError) -> PromotionRequest {
            try PromotionRequest(model: model, version: version?.value, alias: alias, target: target, dryRun: dry_run)
        }
    }

    @Sendable func listTargets(_ request: Request, context: CairnRequestContext) async throws -> Response {
        JSONResponse.object { w in
            w.keyPrefix("targets")
            w.beginArray()
            for target in promotion.targets {
                w.target(target, webhookSecretConfigured: promotion.configuration.webhookSecret(target: target.name) != nil)
            }
            w.endArray()
        }
    }

    @Sendable func getTarget(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let target = try promotion.target(named: try required(context.parameters.get("name"), "name"))
        return JSONResponse.object { w in
            w.keyPrefix("target")
            w.target(target, webhookSecretConfigured: promotion.configuration.webhookSecret(target: target.name) != nil)
        }
    }

    @Sendable func promote(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let promotionRequest = try Request.decodeJSON(PromotionBody.self, from: try await request.bodyBytes(context: context)).request()
        return Self.response(for: try await promotion.promote(promotionRequest, by: try context.actingPrincipal()))
    }

    @Sendable func rollback(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let target = try required(context.parameters.get("name"), "name")
        let deployment = try await promotion.rollback(target: target, by: try context.actingPrincipal())
        return Self.response(for: .started(deployment))
    }

    /// The largest webhook body read: a promotion request is a few hundred bytes.
    static let maximumWebhookBodySize = 64 * 1024

    /// The CI webhook: signature, then idempotency, then the same promotion as the API. A refused
    /// call changes nothing: the signature's shape and window and the key are checked before the
    /// body is read (at most 64 KiB), the MAC before anything is written, a signature is accepted
    /// with one Idempotency-Key only, and a promotion that fails its checks forgets its key so a
    /// retry can go ahead.
    @Sendable func webhook(_ request: Request, context: CairnRequestContext) async throws -> Response {
        var signatureVerified = false
        do {
            let response = try await webhook(request, context: context, signatureVerified: &signatureVerified)
            metrics.recordWebhook(result: "accepted")
            return response
        } catch let error as CairnError where !signatureVerified && error.code == .unauthenticated {
            metrics.recordWebhook(result: "bad_signature")
            throw error
        } catch {
            metrics.recordWebhook(result: "rejected")
            throw error
        }
    }

    /// The webhook's work; `signatureVerified` turns true once the MAC holds and the signature
    /// was not used before, so a refusal before that counts as a bad signature.
    private func webhook(_ request: Request, context: CairnRequestContext, signatureVerified: inout Bool) async throws -> Response {
        guard promotion.configuration.defaultWebhookSecret != nil || !promotion.configuration.targetWebhookSecrets.isEmpty else {
            throw CairnError(
                .permissionDenied, "The promotion webhook is disabled: set CAIRN_WEBHOOK_SECRET or a target's webhook_secret_env variable")
        }
        let signature = try WebhookSignature.parse(header: request.headers[.init(WebhookSignature.header)!])
        let now = Clock.nowMillis()
        try signature.checkWindow(now: now / 1000)
        guard let key = try IdempotentRequest.key(of: request) else {
            throw CairnError(.badRequest, "Missing Idempotency-Key header: send a unique key per promotion (e.g. the CI job's run id)")
        }
        let body = try await request.bodyBytes(context: context, limit: Self.maximumWebhookBodySize)
        // The target names the secret, so it is read before the MAC is checked; nothing else of
        // the body is trusted until the MAC holds.
        let decoded = Result { try Request.decodeJSON(PromotionBody.self, from: body) }
        let targetName = (try? decoded.get())?.target ?? ""
        guard let secret = promotion.configuration.webhookSecret(target: targetName) else {
            throw CairnError(
                .permissionDenied,
                "The promotion webhook is disabled for target '\(targetName)': set the target's webhook_secret_env variable or CAIRN_WEBHOOK_SECRET")
        }
        let digest = try signature.verify(body: body, secret: secret)
        // Kept past the window with a margin, so a replica whose clock runs behind this one's
        // cannot accept the signature again after the record is gone.
        let expiresAt = (signature.timestamp + WebhookSignature.pastWindow + WebhookSignature.futureSkew + 60) * 1000
        guard
            try await idempotency.claim(
                signature: WebhookSignature.replayKey(timestamp: signature.timestamp, digest: digest), key: key, expiresAt: expiresAt)
        else {
            throw CairnError(
                .unauthenticated, "Signature already used: a signed call is accepted once (with its first Idempotency-Key); sign each call anew")
        }
        signatureVerified = true
        let promotionRequest = try decoded.get().request()
        let bodyDigest = Hex.encode(SHA256.hash(data: body))
        return try await IdempotentRequest(store: idempotency).run(
            namespace: "", key: key, bodySHA256: bodyDigest, staleAfterMillis: promotion.configuration.lease.milliseconds
        ) {
            // The MAC was made with the target's secret (or the shared one): the signature speaks
            // for that target only.
            Self.body(for: try await promotion.promote(promotionRequest, by: .webhook(target: targetName)))
        }
    }

    @Sendable func listDeployments(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let limit = try request.queryInt("max_results") ?? 100
        guard (1...1000).contains(limit) else {
            throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results': expected 1-1000")
        }
        let deployments = try await promotion.deployments(target: request.query("target"), model: request.query("model"), limit: Int(limit))
        return JSONResponse.object(capacity: 4096) { w in
            w.keyPrefix("deployments")
            w.beginArray()
            for deployment in deployments { w.deployment(deployment) }
            w.endArray()
        }
    }

    @Sendable func getDeployment(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let deployment = try await promotion.deployment(id: try required(context.parameters.get("id"), "id"))
        return JSONResponse.object(capacity: 4096) { w in
            w.keyPrefix("deployment")
            w.deployment(deployment)
        }
    }

    // MARK: helpers

    static func body(for outcome: PromotionService.Outcome) -> (status: Int, writer: JSONWriter) {
        switch outcome {
        case .started(let deployment):
            return (
                202,
                JSONWriter.object { w in
                    w.field("deployment_id", deployment.id)
                    w.field("status", deployment.status.rawValue)
                    w.field("status_url", statusURL(deployment.id))
                }
            )
        case .dryRun(let report):
            return (200, JSONWriter.object(capacity: 8192) { w in w.dryRunReport(report) })
        }
    }

    static func response(for outcome: PromotionService.Outcome) -> Response {
        let (status, writer) = body(for: outcome)
        return response(status: status, writer)
    }

    static func response(status: Int, _ writer: JSONWriter) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
    }

    static func statusURL(_ id: String) -> String { "/api/cairn/v1/deployments/\(id)" }
}
