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

    /// Buckets per chart: with the chart's ~650-pixel plot, M4 keeps at most about 2 points per
    /// pixel column (4 per bucket).
    static let chartBuckets = 320

    func register(_ routes: RouteRegistrar) {
        routes.get("/", page(experiments))
        routes.get("/experiments/:id", page(experiment))
        routes.get("/runs/:id", page(run))
        routes.get("/compare", page(compare))
        routes.get("/models", page(models))
        routes.get("/models/:name", page(model))
        routes.get("/deployments", page(deployments))
        routes.get("/static/:file", access: .open, asset)
    }

    @Sendable func asset(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard let name = context.parameters.get("file"), let response = try await pages.asset(name) else {
            throw CairnError.notFound("No such file")
        }
        return response
    }

    @Sendable func experiments(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let query = request.query("q") ?? ""
        let summaries = try await tracking.experimentSummaries(nameContains: query, limit: 500)
        return try await pages.page(
            "experiments",
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
        return try await pages.page(
            "deployments",
            [
                "title": "Deployments", "deployments": entries.map(DashboardFormat.deployment), "empty": entries.isEmpty,
                "target": request.query("target") ?? "", "model": request.query("model") ?? "",
            ])
    }

    /// A page handler whose refusals (an unknown run, a malformed id) become an HTML page saying
    /// what went wrong, in the server's words, with the status the API would give.
    func page(_ handler: @escaping RouteRegistrar.Handler) -> RouteRegistrar.Handler {
        let pages = self.pages
        return { request, context in
            do {
                return try await handler(request, context)
            } catch let error as CairnError {
                return try await pages.page(
                    "error", ["title": "Error", "code": error.code.name, "message": error.message], status: .init(code: error.code.httpStatus))
            }
        }
    }
}
