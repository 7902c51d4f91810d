import CairnServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// MLflow's wire rules and its error format, checked through the real router in-process.
@Suite struct MLflowWireTests {
    @Test func unknownRoutesAreJSON404EndpointNotFound() async throws {
        try await TestServer.with { client, _ in
            let (status, body) = try await client.json(.post, "/api/2.0/mlflow/no/such/endpoint", "{}")
            #expect(status == .notFound)
            #expect(body["error_code"] as? String == "ENDPOINT_NOT_FOUND")
            #expect((body["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func aWrongMethodIsJSON405() async throws {
        try await TestServer.with { client, _ in
            let response = try await client.execute(uri: "/api/2.0/mlflow/runs/log-batch", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(String(buffer: response.body).contains("METHOD_NOT_ALLOWED"))
        }
    }

    @Test(arguments: [
        (#"{"run_id": "RUN", "metrics": [{"key": "a", "value": 1, "timestamp": 1}"#, "BAD_REQUEST"),
        (#"{"run_id": "RUN", "metrics": [{"key": "a", "value": {"x": 1}, "timestamp": 1}]}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "RUN", "metrics": [{"key": "a", "value": 1, "timestamp": "soon"}]}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "RUN", "metrics": [{"key": "a", "value": 1}]}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "RUN", "metrics": "many"}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "RUN", "params": [{"key": "../x", "value": "1"}]}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "RUN", "params": [{"key": "p", "value": "2"}]}"#, "INVALID_PARAMETER_VALUE"),
        (#"{"run_id": "0123456789abcdef0123456789abcdef", "metrics": [{"key": "a", "value": 1, "timestamp": 1}]}"#, "RESOURCE_DOES_NOT_EXIST"),
        (#"[1, 2, 3]"#, "INVALID_PARAMETER_VALUE"),
    ])
    func badLogBatchInputIsA4xxAndLeavesStoredDataIntact(body: String, code: String) async throws {
        try await TestServer.with { client, _ in
            let run = try await client.newRun()
            try await client.json(
                .post, "/api/2.0/mlflow/runs/log-batch",
                #"{"run_id":"\#(run)","params":[{"key":"p","value":"1"}],"metrics":[{"key":"m","value":2,"timestamp":5,"step":1}]}"#)
            let (status, error) = try await client.json(.post, "/api/2.0/mlflow/runs/log-batch", body.replacingOccurrences(of: "RUN", with: run))
            #expect((400..<500).contains(Int(status.code)), "got \(status)")
            #expect(error["error_code"] as? String == code)
            let (_, stored) = try await client.json(.get, "/api/2.0/mlflow/runs/get?run_id=\(run)")
            let data = try #require((stored["run"] as? [String: Any])?["data"] as? [String: Any])
            #expect((data["params"] as? [[String: Any]])?.first?["value"] as? String == "1")
            #expect((data["metrics"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func anOversizeBatchIsRefusedWholesale() async throws {
        try await TestServer.with { client, _ in
            let run = try await client.newRun()
            let metrics = (0..<1001).map { #"{"key":"m","value":1,"timestamp":\#($0),"step":\#($0)}"# }.joined(separator: ",")
            let (status, error) = try await client.json(.post, "/api/2.0/mlflow/runs/log-batch", #"{"run_id":"\#(run)","metrics":[\#(metrics)]}"#)
            #expect(status == .badRequest)
            #expect((error["message"] as? String)?.contains("at most 1000 metrics") == true)
            let (_, history) = try await client.json(.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=m")
            #expect(history.isEmpty, "nothing of the refused batch is stored; empty lists are omitted")
        }
    }

    @Test func anOverlongBodyIs413() async throws {
        try await TestServer.with { client, _ in
            let huge = String(repeating: "x", count: CairnRequestContext.maxJSONBodySize + 10)
            let (status, error) = try await client.json(.post, "/api/2.0/mlflow/experiments/create", #"{"name":"\#(huge)"}"#)
            #expect(status.code == 413)
            #expect(error["error_code"] as? String == "REQUEST_LIMIT_EXCEEDED")
        }
    }

    @Test func badFiltersAndPageTokensAre400() async throws {
        try await TestServer.with { client, _ in
            for body in [
                #"{"experiment_ids":["0"],"filter":"metrics.acc > 0.5 OR params.x = 'y'"}"#,
                #"{"experiment_ids":["0"],"filter":"params.lr > 0.1"}"#,
                #"{"experiment_ids":["0"],"page_token":"garbage!!"}"#,
                #"{"experiment_ids":["0"],"max_results":50001}"#,
            ] {
                let (status, error) = try await client.json(.post, "/api/2.0/mlflow/runs/search", body)
                #expect(status == .badRequest, "\(body)")
                #expect(error["error_code"] as? String == "INVALID_PARAMETER_VALUE")
            }
        }
    }

    @Test func int64sAreNumbersNonFiniteValuesAreStringsAndEmptyListsAreOmitted() async throws {
        try await TestServer.with { client, _ in
            let run = try await client.newRun()
            try await client.json(
                .post, "/api/2.0/mlflow/runs/log-batch",
                #"{"run_id":"\#(run)","metrics":[{"key":"x","value":"NaN","timestamp":1,"step":0},{"key":"x","value":"Infinity","timestamp":2,"step":1},{"key":"y","value":"1.5","timestamp":"3","step":"2"}]}"#
            )
            let response = try await client.execute(uri: "/api/2.0/mlflow/metrics/get-history?run_uuid=\(run)&metric_key=x", method: .get)
            let text = String(buffer: response.body)
            #expect(text.contains(#""value":"NaN""#))
            #expect(text.contains(#""value":1.7976931348623157e+308"#), "Infinity is stored as the largest double, as in MLflow")
            #expect(text.contains(#""timestamp":1"#), "int64 values are JSON numbers")
            let (_, y) = try await client.json(.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=y")
            #expect((y["metrics"] as? [[String: Any]])?.first?["value"] as? Double == 1.5)
            let (_, none) = try await client.json(.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=missing")
            #expect(none.isEmpty)
        }
    }

    /// Schemathesis found this: `max_results=Int64.max` overflowed `limit + 1` and crashed the server.
    @Test(arguments: ["9223372036854775807", "2147483648", "0", "-5"])
    func anOutOfRangeHistoryPageSizeIs400AndTheServerKeepsServing(maxResults: String) async throws {
        try await TestServer.with { client, _ in
            let run = try await client.newRun()
            let (status, error) = try await client.json(
                .get, "/api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=m&max_results=\(maxResults)")
            #expect(status == .badRequest)
            #expect(error["error_code"] as? String == "INVALID_PARAMETER_VALUE")
            let (after, _) = try await client.json(.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=m&max_results=2147483647")
            #expect(after == .ok)
        }
    }

    @Test func getByNameOfAMissingExperimentIsResourceDoesNotExist() async throws {
        try await TestServer.with { client, _ in
            let (status, error) = try await client.json(.get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=no+such+experiment")
            #expect(status == .notFound)
            #expect(error["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
            let (_, created) = try await client.json(.post, "/api/2.0/mlflow/experiments/create", #"{"name":"with space"}"#)
            let (found, body) = try await client.json(.get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=with+space")
            #expect(found == .ok)
            #expect((body["experiment"] as? [String: Any])?["experiment_id"] as? String == created["experiment_id"] as? String)
        }
    }

    @Test func registryDeletesTakeTheirFieldsFromAJSONBody() async throws {
        try await TestServer.with { client, _ in
            try await client.json(.post, "/api/2.0/mlflow/registered-models/create", #"{"name":"m1"}"#)
            let (deleted, _) = try await client.json(.delete, "/api/2.0/mlflow/registered-models/delete", #"{"name":"m1"}"#)
            #expect(deleted == .ok)
            let (status, error) = try await client.json(.get, "/api/2.0/mlflow/registered-models/get?name=m1")
            #expect(status == .notFound)
            #expect(error["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
        }
    }
}
