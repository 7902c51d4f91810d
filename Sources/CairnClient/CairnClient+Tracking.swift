import CairnCore
import NIOHTTP1

extension CairnClient {
    static let mlflow = "/api/2.0/mlflow"

    /// One page of experiments, filtered with MLflow's search grammar.
    public func searchExperiments(filter: String? = nil, viewType: String = "ACTIVE_ONLY", maxResults: Int, pageToken: String?)
        async throws(ClientError) -> ResultPage
    {
        var body: JSONValue = ["max_results": .int(Int64(maxResults)), "view_type": .string(viewType)]
        if let filter { body["filter"] = .string(filter) }
        if let pageToken { body["page_token"] = .string(pageToken) }
        return try await listing(.POST, "\(Self.mlflow)/experiments/search", body: body, key: "experiments")
    }

    /// An experiment by id, or by name when `nameOrID` is not a known id.
    public func experiment(_ nameOrID: String) async throws(ClientError) -> JSONValue {
        if nameOrID.allSatisfy(\.isNumber) {
            do {
                return try await call(.GET, "\(Self.mlflow)/experiments/get", query: [("experiment_id", nameOrID)])["experiment"] ?? .null
            } catch  where error.kind == .notFound {
                // A numeric name: fall through to the lookup by name.
            }
        }
        return try await call(.GET, "\(Self.mlflow)/experiments/get-by-name", query: [("experiment_name", nameOrID)])["experiment"] ?? .null
    }

    /// Creates an experiment; returns its id.
    public func createExperiment(name: String, artifactLocation: String? = nil) async throws(ClientError) -> String {
        var body: JSONValue = ["name": .string(name)]
        if let artifactLocation { body["artifact_location"] = .string(artifactLocation) }
        return try await call(.POST, "\(Self.mlflow)/experiments/create", body: body)["experiment_id"]?.stringValue ?? ""
    }

    /// Marks an experiment deleted (restorable until `cairn gc`).
    public func deleteExperiment(id: String) async throws(ClientError) {
        _ = try await call(.POST, "\(Self.mlflow)/experiments/delete", body: ["experiment_id": .string(id)])
    }

    /// One page of runs of some experiments.
    public func searchRuns(experimentIDs: [String], filter: String?, orderBy: [String], maxResults: Int, pageToken: String?)
        async throws(ClientError) -> ResultPage
    {
        var body: JSONValue = [
            "experiment_ids": .array(experimentIDs.map { .string($0) }), "max_results": .int(Int64(maxResults)),
            "order_by": .array(orderBy.map { .string($0) }),
        ]
        if let filter { body["filter"] = .string(filter) }
        if let pageToken { body["page_token"] = .string(pageToken) }
        return try await listing(.POST, "\(Self.mlflow)/runs/search", body: body, key: "runs")
    }

    /// A run with its data (params, latest metrics, tags).
    public func run(id: String) async throws(ClientError) -> JSONValue {
        try await call(.GET, "\(Self.mlflow)/runs/get", query: [("run_id", id)])["run"] ?? .null
    }

    /// Every point of one metric of a run, in step order, page by page.
    public func metricHistory(runID: String, key: String) async throws(ClientError) -> [JSONValue] {
        var points: [JSONValue] = []
        var token: String?
        repeat {
            var query = [("run_id", runID), ("metric_key", key), ("max_results", "25000")]
            if let token { query.append(("page_token", token)) }
            let page = ResultPage(try await call(.GET, "\(Self.mlflow)/metrics/get-history", query: query), key: "metrics")
            points += page.items
            token = page.nextPageToken
        } while token != nil
        return points
    }
}
