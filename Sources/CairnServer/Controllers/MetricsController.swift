import CairnCore
import CairnStore
import Hummingbird

/// Metric history endpoints (`/api/2.0/mlflow/metrics/...`) and the legacy run artifact list.
struct MetricsController {
    let store: any TrackingStore

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/2.0/mlflow/metrics/get-history", history)
        routes.get("/api/2.0/mlflow/metrics/get-history-bulk-interval", bulkInterval)
        routes.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval", bulkInterval)
        routes.get("/api/2.0/mlflow/artifacts/list", legacyArtifactList)
    }

    @Sendable func history(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let runID = try required(request.query("run_id") ?? request.query("run_uuid"), "run_id")
        let key = try required(request.query("metric_key"), "metric_key")
        let maxResults = try request.queryInt("max_results")
        let offset = try PageToken.decodeOffset(request.query("page_token"))
        let page = try await store.metricHistory(runID: runID, key: key, offset: offset, limit: maxResults.map { Int($0) })
        return JSONResponse.object(capacity: 64 + page.items.count * (72 + key.utf8.count)) { w in
            w.metricHistory("metrics", page.items, key: key)
            w.field("next_page_token", page.nextPageToken)
        }
    }

    @Sendable func bulkInterval(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let points = try await store.metricHistoryBulkInterval(
            runIDs: request.queryAll("run_ids"), key: try required(request.query("metric_key"), "metric_key"),
            startStep: try request.queryInt("start_step"), endStep: try request.queryInt("end_step"),
            maxResults: Int(try request.queryInt("max_results") ?? Int64(Limits.maxHistoryBulkResults))
        )
        return JSONResponse.object(capacity: 64 + points.count * 120) { w in
            w.array("metrics", points) { w, m in w.metric(m) }
        }
    }

    /// MLflow answers the run-scoped list with only `root_uri` when artifacts are proxied; the
    /// 3.x client lists through `mlflow-artifacts` instead.
    @Sendable func legacyArtifactList(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let run = try await store.run(id: try required(request.query("run_id") ?? request.query("run_uuid"), "run_id"))
        return JSONResponse.object { $0.field("root_uri", run.info.artifactURI) }
    }
}
