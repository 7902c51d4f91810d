import CairnArtifacts
import CairnCore
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CairnServer

/// `/metrics`, request ids and the request histogram, through a router with a Prometheus registry.
@Suite struct ObservabilityTests {
    /// Runs `body` against a fresh SQLite-backed router recording into `metrics`.
    func withRouter(_ metrics: ServerMetrics, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-observe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .error
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let artifacts = try await LocalArtifactStore(root: root.appendingPathComponent("artifacts").path)
        let router = buildRouter(
            store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts, tokens: nil, auth: .init(), routeTable: nil,
            metrics: metrics)
        do {
            try await Application(router: router, logger: logger).test(.router) { client in try await body(client) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    /// The exposition's samples as `name{labels}` → value.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func requestsAreCountedByRouteTemplateMethodAndStatus() async throws {
        try await withRouter(.prometheus()) { client in
            let run = try await client.newRun()
            let batch =
                #"{"run_id":"\#(run)","metrics":[{"key":"loss","value":1,"timestamp":1,"step":0},{"key":"loss","value":2,"timestamp":2,"step":1}]}"#
            #expect(try await client.json(.post, "/api/2.0/mlflow/runs/log-batch", batch).0 == .ok)
            #expect(try await client.json(.get, "/api/2.0/mlflow/runs/get?run_id=\(run)").0 == .ok)
            #expect(try await client.json(.get, "/api/2.0/mlflow/runs/get?run_id=nope").0 == .notFound)
            #expect(try await client.json(.get, "/no/such/route/\(run)").0 == .notFound)

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = Self.samples(String(buffer: response.body))
            let histogram = "http_server_request_duration_seconds_count"
            #expect(
                samples[#"\#(histogram){http_request_method="POST",http_route="/api/2.0/mlflow/runs/log-batch",http_response_status_code="200"}"#]
                    == 1)
            #expect(samples[#"\#(histogram){http_request_method="GET",http_route="/api/2.0/mlflow/runs/get",http_response_status_code="200"}"#] == 1)
            #expect(samples[#"\#(histogram){http_request_method="GET",http_route="/api/2.0/mlflow/runs/get",http_response_status_code="404"}"#] == 1)
            // A path no route serves is one series, whatever the path: no run id becomes a label.
            #expect(samples[#"\#(histogram){http_request_method="GET",http_route="unmatched",http_response_status_code="404"}"#] == 1)
            #expect(!samples.keys.contains { $0.contains(run) })
            #expect(samples["cairn_metrics_ingested_total"] == 2)
            #expect(samples[#"cairn_build_info{version="\#(CairnVersion.current)"}"#] == 1)
            #expect(samples[#"cairn_webhook_requests_total{result="bad_signature"}"#] == 0)
        }
    }

    @Test func requestIDIsTakenFromTheClientWhenSaneAndMadeUpOtherwise() async throws {
        try await withRouter(.disabled) { client in
            let given = try await client.execute(uri: "/livez", method: .get, headers: [RequestObservationMiddleware.requestIDHeader: "ci-job-42.7"])
            #expect(given.headers[RequestObservationMiddleware.requestIDHeader] == "ci-job-42.7")
            let forged = try await client.execute(
                uri: "/livez", method: .get, headers: [RequestObservationMiddleware.requestIDHeader: "x\" level=error msg=forged"])
            let replaced = try #require(forged.headers[RequestObservationMiddleware.requestIDHeader])
            #expect(replaced.count == 32 && replaced.allSatisfy(\.isHexDigit))
            let none = try await client.execute(uri: "/api/2.0/mlflow/runs/get", method: .get)
            let made = try #require(none.headers[RequestObservationMiddleware.requestIDHeader])
            #expect(made.count == 32 && made.allSatisfy(\.isHexDigit))
            #expect(made != replaced)
        }
    }

    @Test func madeUpRequestIDsNeverRepeatWithinAProcess() {
        let ids = (0..<10_000).map { _ in RequestIDs.next() }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(16) }).count == 1)  // the process's part
        // The counter's part is mixed: consecutive ids differ in many digits, not just the last.
        #expect(zip(ids, ids.dropFirst()).allSatisfy { a, b in zip(a.suffix(16), b.suffix(16)).filter { $0 != $1 }.count >= 4 })
        #expect(RequestIDs.mix(1) != 1 && RequestIDs.mix(0) != RequestIDs.mix(1))
    }

    @Test func metricsRouteSaysSoWhenMetricsAreOff() async throws {
        try await withRouter(.disabled) { client in
            let (status, body) = try await client.json(.get, "/metrics")
            #expect(status == .notFound)
            #expect((body["message"] as? String)?.contains("--metrics off") == true)
        }
    }

    @Test func readinessFailsOnceDrainingWhileRequestsAreStillServedWithConnectionClose() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-drain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .error
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let artifacts = try await LocalArtifactStore(root: root.appendingPathComponent("artifacts").path)
        let serving = ServingState()
        serving.markStarted()
        let router = buildRouter(
            store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts, tokens: nil, auth: .init(), routeTable: nil,
            startup: serving)
        try await Application(router: router, logger: logger).test(.router) { client in
            let before = try await client.execute(uri: "/api/2.0/mlflow/experiments/search?max_results=1", method: .get)
            #expect(before.status == .ok)
            #expect(before.headers[.connection] == nil)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            serving.markDraining()
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains(#""shutdown":"the server is shutting down""#))
            #expect(try await client.execute(uri: "/ready", method: .get).status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/livez", method: .get).status == .ok)
            // Still served, but keep-alive clients are told to reconnect (to a replica still ready).
            let during = try await client.execute(uri: "/api/2.0/mlflow/experiments/search?max_results=1", method: .get)
            #expect(during.status == .ok)
            #expect(during.headers[.connection] == "close")
            let missing = try await client.execute(uri: "/api/2.0/mlflow/experiments/get?experiment_id=999999", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.connection] == "close")
        }
        await database.close()
    }
}
