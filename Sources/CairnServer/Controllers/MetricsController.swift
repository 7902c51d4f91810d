import CairnCore
import CairnStore
import Hummingbird

/// Metric history endpoints (`/api/2.0/mlflow/metrics/...`).
struct MetricsController {
    let store: any TrackingStore

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/2.0/mlflow/metrics/get-history", history)
        routes.get("/api/2.0/mlflow/metrics/get-history-bulk-interval", bulkInterval)
        // UI-only: MLflow serves it under /ajax-api alone (/api/… is a 404 there too).
        routes.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk", historyBulk)
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
            runIDs: request.queryAll("run_ids"), key: request.query("metric_key") ?? "",
            startStep: try request.queryInt("start_step"), endStep: try request.queryInt("end_step"),
            maxResults: Int(try request.queryInt("max_results") ?? Int64(Limits.maxHistoryBulkResults))
        )
        return JSONResponse.object(capacity: 64 + points.count * 120) { w in
            w.array("metrics", points) { w, m in w.metric(m) }
        }
    }

    /// Every point of the runs' metric, unsampled (the UI's compare view), `run_id` repeated.
    @Sendable func historyBulk(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let points = try await store.metricHistoryBulk(
            runIDs: request.queryAll("run_id"), key: request.query("metric_key") ?? "",
            maxResults: Int(try request.queryInt("max_results") ?? Int64(Limits.maxHistoryBulkFullResults))
        )
        return JSONResponse.object(capacity: 64 + points.count * 120) { w in
            // MLflow writes the key even for no points: `{"metrics": []}`.
            w.keyPrefix("metrics")
            w.beginArray()
            for point in points { w.metric(point) }
            w.endArray()
        }
    }
}
