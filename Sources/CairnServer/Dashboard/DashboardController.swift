import CairnArtifacts
import CairnCore
import CairnPromotion
import CairnStore
import Foundation
import Hummingbird

/// The HTML dashboard: server-rendered pages over the same stores as the API (experiments, runs,
/// charts, compare, models, deployments). No page needs JavaScript; every view is a URL.
struct DashboardController {
    let tracking: any TrackingStore
    let registry: any RegistryStore
    let artifacts: any ArtifactStore
    let promotion: PromotionService?
    let pages: DashboardPages
    /// Checks who asks for a page: a session cookie (or an `Authorization` header) with a read token.
    let authenticator: Authenticator
    /// Sign-in sessions; nil when authentication is off (the pages are then as open as the API).
    let sessions: SessionStore?
    /// Whether the session cookie is `Secure` (the server serves HTTPS).
    let secureCookies: Bool

    /// Buckets per chart: with the chart's ~650-pixel plot, M4 keeps at most about 2 points per
    /// pixel column (4 per bucket).
    static let chartBuckets = 320

    /// Buckets per line on a compare chart: its lines share a budget of 640 buckets (about 2,560
    /// points, as many as two full lines), each keeping between 16 and ``chartBuckets``. Twenty
    /// runs draw 32 buckets each, so a page of ten such charts stays near 25,000 points. Each
    /// line is its kept reduction reduced again (M4 of M4), so no series is read twice.
    static func compareBuckets(lines: Int) -> Int { min(chartBuckets, max(16, 640 / max(lines, 1))) }

    func register(_ routes: RouteRegistrar) {
        routes.get("/signin", access: .open, signInForm)
        routes.post("/signin", access: .open, signIn)
        routes.post("/signout", access: .open, signOut)
        routes.get("/", access: .open, page(experiments))
        routes.get("/experiments/:id", access: .open, page(experiment))
        routes.get("/runs/:id", access: .open, page(run))
        routes.get("/compare", access: .open, page(compare))
        routes.get("/models", access: .open, page(models))
        routes.get("/models/:name", access: .open, page(model))
        routes.post("/models/:name/rollback", access: .open, page(rollback))
        routes.get("/deployments", access: .open, page(deployments))
        routes.get("/static/:file", access: .open, asset)
    }

    @Sendable func asset(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard let name = context.parameters.get("file"), let response = try await pages.asset(name) else {
            throw CairnError.notFound("No such file")
        }
        return try await ResponseCompression.gzipIfAccepted(response, for: request)
    }

    @Sendable func experiments(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let query = request.query("q") ?? ""
        let summaries = try await tracking.experimentSummaries(nameContains: query, limit: 500)
        return try await render(
            context, "experiments",
            [
                "title": "Experiments", "q": query,
                "experiments": summaries.map { summary -> [String: Any] in
                    [
                        "id": summary.experiment.id, "name": summary.experiment.name, "runs": summary.runCount,
                        "lastActivity": DashboardFormat.time(summary.lastActivity), "created": DashboardFormat.time(summary.experiment.creationTime),
                    ]
                },
                "empty": summaries.isEmpty,
            ])
    }

    @Sendable func deployments(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let entries = try await promotion?.deployments(target: request.query("target"), model: request.query("model"), limit: 200) ?? []
        return try await render(
            context, "deployments",
            [
                "title": "Deployments", "deployments": entries.map(DashboardFormat.deployment), "empty": entries.isEmpty,
                "inFlight": entries.contains { [.pending, .applying, .waiting].contains($0.status) },
                "target": request.query("target") ?? "", "model": request.query("model") ?? "",
            ])
    }

    /// A page handler behind the dashboard's own authentication (a read token, from the session
    /// cookie or an `Authorization` header; without one, a redirect to the sign-in form), whose
    /// refusals (an unknown run, a malformed id) become an HTML page saying what went wrong, in
    /// the server's words, with the status the API would give.
    func page(_ handler: @escaping RouteRegistrar.Handler) -> RouteRegistrar.Handler {
        let pages = self.pages
        let authenticator = self.authenticator
        return { request, context in
            var context = context
            do {
                let principal = try await authenticator.authorize(request, scope: .read)
                context.principal = principal
                context.record?.actor = principal.auditName
            } catch let error as CairnError where error.code == .unauthenticated {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Self.redirect(to: "/signin?" + DashboardFormat.query([("next", next)]))
            }
            let response: Response
            do {
                response = try await handler(request, context)
            } catch let error as CairnError {
                response = try await pages.page(
                    "error", ["title": "Error", "code": error.code.name, "message": error.message], status: .init(code: error.code.httpStatus))
            }
            return try await ResponseCompression.gzipIfAccepted(response, for: request)
        }
    }
}
