import CairnArtifacts
import CairnCore
import CairnServer
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// With the bucket unreachable, artifact calls fail fast with 503 and a clear message while the
/// tracking API keeps answering. Needs no S3 server: the endpoint is a port nobody listens on.
@Suite struct S3OutageHTTPTests {
    @Test func trackingKeepsWorkingWhileS3IsDown() async throws {
        let logger = Logger(label: "s3-outage-http")
        let databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-s3-outage-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) } }
        let (database, store) = try await openMigratedSQLiteStore(path: databasePath, logger: logger)
        var configuration = S3Configuration(bucket: "down-bucket", prefix: "p", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"))
        configuration.endpoint = S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9)
        configuration.addressing = .pathStyle
        configuration.connectTimeoutSeconds = 2
        let artifacts = S3ArtifactStore(configuration: configuration, logger: logger)
        let app = Application(router: buildRouter(store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts))
        let started = ContinuousClock.now
        do {
            try await app.test(.router) { client in
                let put = try await client.execute(
                    uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/a.txt", method: .put, body: ByteBuffer(string: "x"))
                #expect(put.status == .serviceUnavailable)
                #expect(String(buffer: put.body).contains("TEMPORARILY_UNAVAILABLE"))
                #expect(String(buffer: put.body).contains("unreachable"))
                // Where the store is stays in the server log.
                #expect(!String(buffer: put.body).contains("127.0.0.1"))
                #expect(!String(buffer: put.body).contains("a.txt"))
                let get = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/a.txt", method: .get)
                #expect(get.status == .serviceUnavailable)
                let list = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=0", method: .get)
                #expect(list.status == .serviceUnavailable)
                // Readiness names the failing part; liveness does not depend on it.
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                let reasons = try JSONValue(parsing: Array(ready.body.readableBytesView))
                #expect(reasons["failures"]?["artifacts"] != nil)
                #expect(reasons["failures"]?["database"] == nil && reasons["failures"]?["schema"] == nil)
                #expect(try await client.execute(uri: "/livez", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/startupz", method: .get).status == .ok)

                let created = try await client.execute(
                    uri: "/api/2.0/mlflow/experiments/create", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"name":"while-s3-is-down"}"#))
                #expect(created.status == .ok)
                let info = try await client.execute(uri: "/api/3.0/mlflow/server-info", method: .get)
                #expect(String(buffer: info.body).contains(#""multipart_uploads_enabled":true"#))
            }
        } catch {
            try? await artifacts.shutdown()
            await database.close()
            throw error
        }
        try await artifacts.shutdown()
        await database.close()
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
