import CairnCore
import CairnStore
import Hummingbird

/// Token administration (`/api/cairn/v1/tokens`), for admins. Secrets are returned once, at
/// creation, and never listed.
struct TokensController {
    let tokens: TokenStore
    let authenticator: Authenticator

    func register(_ routes: RouteRegistrar) {
        routes.post("/api/cairn/v1/tokens", access: .scope(.admin), create)
        routes.get("/api/cairn/v1/tokens", access: .scope(.admin), list)
        routes.delete("/api/cairn/v1/tokens/:name", access: .scope(.admin), revoke)
    }

    private struct CreateBody: Decodable {
        let name: String?
        let scope: String?
        let expires_at: FlexibleInt64?
        let allowed_targets: [String]?
    }

    @Sendable func create(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let created = try await tokens.create(
            name: try required(body.name, "name"), scope: try TokenScope(parsing: try required(body.scope, "scope")),
            expiresAt: body.expires_at?.value, allowedTargets: body.allowed_targets ?? [])
        return JSONResponse.object { w in
            w.field("name", created.token.name)
            w.field("scope", created.token.scope.rawValue)
            w.field("token", created.secret)
        }
    }

    @Sendable func list(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let all = try await tokens.list()
        return JSONResponse.object { w in
            w.array("tokens", all) { w, token in
                w.beginObject()
                w.field("name", token.name)
                w.field("scope", token.scope.rawValue)
                w.field("created_at", token.createdAt)
                w.field("expires_at", token.expiresAt)
                w.field("last_used_at", token.lastUsedAt)
                w.field("revoked_at", token.revokedAt)
                w.array("allowed_targets", token.allowedTargets) { w, target in w.element(target) }
                w.endObject()
            }
        }
    }

    @Sendable func revoke(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let name = try required(context.parameters.get("name"), "name")
        try await tokens.revoke(name: name)
        authenticator.forget(tokenNamed: name)
        return JSONResponse.empty
    }
}
