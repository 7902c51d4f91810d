import CairnCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CairnServer

/// Issue 11's refusals through the HTTP layer: bounded searches, the browser guard of
/// `--auth none`, artifacts that cannot run on Cairn's origin, absolute and under-a-file
/// artifact paths, control characters in names, and a wrong method on a parameterised route.
@Suite struct HardeningHTTPTests {
    static func clauses(_ count: Int) -> String {
        (0..<count).map { "params.p\($0) = 'x'" }.joined(separator: " AND ")
    }

    @Test func aSearchWithMoreThanFiftyClausesIsRefusedAtOnce() async throws {
        try await TestServer.with { client, _ in
            let body = #"{"experiment_ids":["0"],"filter":"\#(Self.clauses(200))"}"#
            let started = ContinuousClock.now
            let (status, json) = try await client.json(.post, "/api/2.0/mlflow/runs/search", body)
            #expect(status == .badRequest)
            #expect((json["message"] as? String)?.contains("more than 50 clauses") == true)
            // Generous: CI shares two cores with hundreds of tests (it once delayed a timer 5 s).
            #expect(ContinuousClock.now - started < .seconds(10))
            let (fifty, _) = try await client.json(.post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0"],"filter":"\#(Self.clauses(50))"}"#)
            #expect(fifty == .ok)
        }
    }

    @Test func tooManyOrderByKeysInValuesAndExperimentIDsAre400() async throws {
        try await TestServer.with { client, _ in
            let keys = (0..<2000).map { "\"params.p\($0)\"" }.joined(separator: ",")
            let (orderBy, orderJSON) = try await client.json(.post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0"],"order_by":[\#(keys)]}"#)
            #expect(orderBy == .badRequest)
            #expect((orderJSON["message"] as? String)?.contains("order_by") == true)
            let values = (0..<70_000).map { "'v\($0)'" }.joined(separator: ",")
            let (inList, inJSON) = try await client.json(
                .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0"],"filter":"attributes.run_name IN (\#(values))"}"#)
            #expect(inList == .badRequest)
            #expect((inJSON["error_code"] as? String) == "INVALID_PARAMETER_VALUE")
            let ids = (0..<5000).map { "\"\($0)\"" }.joined(separator: ",")
            let (experiments, _) = try await client.json(.post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":[\#(ids)]}"#)
            #expect(experiments == .badRequest)
            // 33 lists of 1,000 values each would pass the per-list bound but exceed SQLite's
            // 32,766 binds: the filter-wide bound refuses it as a 400, not a 500.
            let list = "(" + (0..<1000).map { "'v\($0)'" }.joined(separator: ",") + ")"
            let many = (0..<33).map { "params.p\($0) IN \(list)" }.joined(separator: " AND ")
            let (binds, _) = try await client.json(.post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0"],"filter":"\#(many)"}"#)
            #expect(binds == .badRequest)
        }
    }

    @Test func namesWithControlCharactersAreRefused() async throws {
        try await TestServer.with { client, _ in
            for name in ["a\\u0000b", "tab\\there", "line\\nbreak"] {
                let (experiment, _) = try await client.json(.post, "/api/2.0/mlflow/experiments/create", #"{"name":"\#(name)"}"#)
                #expect(experiment == .badRequest, "\(name)")
                let (model, _) = try await client.json(.post, "/api/2.0/mlflow/registered-models/create", #"{"name":"\#(name)"}"#)
                #expect(model == .badRequest, "\(name)")
            }
            let (search, json) = try await client.json(.get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=a")
            #expect(search == .notFound, "\(json)")
        }
    }

    @Test func activeArtifactTypesAreDownloadedNeverRendered() async throws {
        try await TestServer.with { client, _ in
            let prefix = "/api/2.0/mlflow-artifacts/artifacts/"
            for name in ["page.html", "image.svg", "feed.xml", "code.js"] {
                let put = try await client.execute(uri: prefix + "x/" + name, method: .put, body: ByteBuffer(string: "<script>alert(1)</script>"))
                #expect(put.status == .ok)
                let get = try await client.execute(uri: prefix + "x/" + name, method: .get)
                #expect(get.status == .ok)
                #expect(get.headers[.xContentTypeOptions] == "nosniff")
                #expect(get.headers[.contentSecurityPolicy] == "sandbox")
                #expect(get.headers[.contentDisposition]?.hasPrefix("attachment;") == true, "\(name)")
            }
            _ = try await client.execute(uri: prefix + "x/plot.png", method: .put, body: ByteBuffer(string: "png"))
            let png = try await client.execute(uri: prefix + "x/plot.png", method: .get)
            #expect(png.headers[.xContentTypeOptions] == "nosniff")
            #expect(png.headers[.contentDisposition] == nil)
        }
    }

    @Test func absoluteArtifactPathsAndPathsUnderAFileAre400() async throws {
        try await TestServer.with { client, server in
            let prefix = "/api/2.0/mlflow-artifacts/artifacts/"
            let absolute = try await client.execute(uri: prefix + "/etc/passwd", method: .put, body: ByteBuffer(string: "x"))
            #expect(absolute.status == .badRequest)
            #expect(!FileManager.default.fileExists(atPath: server.artifactsRoot.appendingPathComponent("etc/passwd").path))
            let file = try await client.execute(uri: prefix + "run/model.pkl", method: .put, body: ByteBuffer(string: "x"))
            #expect(file.status == .ok)
            let under = try await client.execute(uri: prefix + "run/model.pkl/inner.txt", method: .put, body: ByteBuffer(string: "x"))
            #expect(under.status == .badRequest)
            #expect(String(buffer: under.body).contains("which is a file"))
            for method in [HTTPRequest.Method.get, .delete] {
                let below = try await client.execute(uri: prefix + "run/model.pkl/inner.txt", method: method)
                #expect(below.status.code < 500, "\(method) below a file answered \(below.status)")
            }
            let list = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=run/model.pkl/inner", method: .get)
            #expect(list.status == .ok)
        }
    }

    @Test func aWrongMethodOnARouteWithAPathParameterIs405() async throws {
        try await TestServer.with { client, _ in
            let response = try await client.execute(uri: "/api/2.0/mlflow/logged-models/m-123/params", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow]?.contains("POST") == true)
        }
    }

    // MARK: the browser guard (auth none)

    static let guardMiddleware = BrowserGuardMiddleware(allowedHosts: ["cairn.internal"])

    @Test(arguments: ["127.0.0.1:5000", "localhost", "LOCALHOST:80", "[::1]:5000", "app.localhost:5000", "cairn.internal:443"])
    func loopbackAndListedHostsAreAllowed(host: String) {
        #expect(Self.guardMiddleware.isAllowed(hostOf: host))
    }

    @Test(arguments: ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:5000", "10.0.0.1:5000", "[::2]:5000", "cairn.internal.evil"])
    func otherHostsAreRefused(host: String) {
        #expect(!Self.guardMiddleware.isAllowed(hostOf: host))
    }

    @Test func foreignHostsOriginsAndNonJSONBodiesAreRefusedWithoutAuthentication() async throws {
        try await TestServer.with { client, _ in
            let create = "/api/2.0/mlflow/experiments/create"
            let rebound = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/search?max_results=1", method: .get,
                headers: [BrowserGuardMiddleware.hostField: "attacker.example:5000"])
            #expect(rebound.status == .forbidden)
            let health = try await client.execute(uri: "/health", method: .get, headers: [BrowserGuardMiddleware.hostField: "10.1.2.3:5000"])
            #expect(health.status == .ok)
            // Foreign origins, the opaque `null` one, and another port on the same machine (the
            // router test's Host is `localhost`) are all other origins.
            for (index, origin) in ["https://attacker.example", "null", "http://localhost:3000"].enumerated() {
                let foreign = try await client.execute(
                    uri: create, method: .post, headers: [.contentType: "application/json", .origin: origin],
                    body: ByteBuffer(string: #"{"name":"csrf\#(index)"}"#))
                #expect(foreign.status == .forbidden, "\(origin)")
            }
            let form = try await client.execute(
                uri: create, method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: #"{"name":"csrf"}"#))
            #expect(form.status == .badRequest)
            #expect(String(buffer: form.body).contains("application/json"))
            let local = try await client.execute(
                uri: create, method: .post, headers: [.contentType: "application/json; charset=utf-8", .origin: "http://localhost"],
                body: ByteBuffer(string: #"{"name":"fine"}"#))
            #expect(local.status == .ok)
            let (_, found) = try await client.json(.get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=csrf")
            #expect(found["experiment"] == nil)
            let upload = try await client.execute(
                uri: "/api/2.0/mlflow-artifacts/artifacts/a/b.bin", method: .put, headers: [.contentType: "application/octet-stream"],
                body: ByteBuffer(string: "raw"))
            #expect(upload.status == .ok)
        }
    }
}
