@_spi(Testing) import CairnArtifacts
import CairnCore
import CairnServer
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Path traversal through the HTTP layer, for both artifact stores: every spelling is refused
/// with 400 before storage is touched, and nothing appears outside (or inside) the artifact root.
@Suite struct ArtifactTraversalTests {
    /// Raw URL path tails after `/api/2.0/mlflow-artifacts/artifacts/` (and `?path=` values).
    static let spellings: [String] = [
        "../escape.txt",
        "..%2Fescape.txt",
        "%2e%2e/escape.txt",
        "%2E%2E%2Fescape.txt",
        "a/../../escape.txt",
        "a/%2e%2e/%2e%2e/escape.txt",
        "a/%2e%2e%2f%2e%2e%2fescape.txt",
        "%252e%252e%252fescape.txt",
        "..%252F..%252Fescape.txt",
        "..%5Cescape.txt",
        "a%5C..%5C..%5Cescape.txt",
        "%2Fetc%2Fpasswd",
        "%2F%2Fetc%2Fpasswd",
        "a%00b.txt",
        "..",
        "a/..",
        ".%2e/escape.txt",
        "%2e./escape.txt",
        "%c0%ae%c0%ae/escape.txt",
        "a%0d%0aSet-Cookie:x.txt",
        String(repeating: "a", count: ArtifactPath.maxLength + 1),
    ]

    static let artifactsPrefix = "/api/2.0/mlflow-artifacts/artifacts/"

    func exercise(_ artifacts: any ArtifactStore) async throws {
        let logger = Logger(label: "traversal-test")
        let databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-traversal-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) } }
        let (database, store) = try await openMigratedSQLiteStore(path: databasePath, logger: logger)
        let app = Application(router: buildRouter(store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts))
        do {
            try await requests(app)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    func requests(_ app: some ApplicationProtocol) async throws {
        try await app.test(.router) { client in
            for spelling in Self.spellings {
                for method in [HTTPRequest.Method.put, .get, .delete] {
                    let status = try await client.execute(uri: Self.artifactsPrefix + spelling, method: method, body: ByteBuffer(string: "x")).status
                    #expect(status == .badRequest, "\(method) \(spelling.prefix(60)) gave \(status)")
                }
                let listing = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=" + spelling, method: .get).status
                #expect(listing == .badRequest, "list \(spelling.prefix(60)) gave \(listing)")
                let mpu = try await client.execute(
                    uri: "/api/2.0/mlflow-artifacts/mpu/create/" + spelling, method: .post,
                    body: ByteBuffer(string: #"{"path":"f.bin","num_parts":1}"#)
                ).status
                #expect(mpu == .badRequest || mpu == .notImplemented, "mpu \(spelling.prefix(60)) gave \(mpu)")
            }
            // A well-formed path still works, so the 400s above are not a broken route.
            let ok = try await client.execute(uri: Self.artifactsPrefix + "safe/inside.txt", method: .put, body: ByteBuffer(string: "ok")).status
            #expect(ok == .ok)
        }
    }

    @Test func localStoreRefusesTraversal() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-traversal-\(UUID().uuidString)")
        let root = parent.appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: parent) }
        try await exercise(try await LocalArtifactStore(root: root.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["root"])
        let written = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.sorted()
        #expect(written == ["safe", "safe/inside.txt"])
    }

    /// A name longer than the file system allows (NAME_MAX, 255 bytes; the fuzzer sent 381 bytes
    /// of combining characters) was a 500 from ENAMETOOLONG: now it is not found, and an upload
    /// of it a 400.
    @Test func localStoreAnswersAnOverlongNameWithoutAServerError() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-long-name-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let artifacts = try await LocalArtifactStore(root: root.path)
        let logger = Logger(label: "long-name-test")
        let databasePath = root.appendingPathComponent("cairn.db").path
        let (database, store) = try await openMigratedSQLiteStore(path: databasePath, logger: logger)
        let app = Application(router: buildRouter(store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts))
        let name = "dir/" + String(repeating: "\u{1E70}\u{033A}", count: 80) + ".txt"  // 402 bytes, under ArtifactPath.maxLength
        let escaped = try #require(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed))
        do {
            try await app.test(.router) { client in
                let get = try await client.execute(uri: Self.artifactsPrefix + escaped, method: .get)
                #expect(get.status == .notFound)
                #expect(String(buffer: get.body).contains("RESOURCE_DOES_NOT_EXIST"))
                let put = try await client.execute(uri: Self.artifactsPrefix + escaped, method: .put, body: ByteBuffer(string: "x"))
                #expect(put.status == .badRequest)
                #expect(String(buffer: put.body).contains("longer than 255 bytes"))
                let delete = try await client.execute(uri: Self.artifactsPrefix + escaped, method: .delete).status
                #expect(delete.code < 500, "delete gave \(delete)")
                let list = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=" + escaped, method: .get).status
                #expect(list == .ok)
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["CAIRN_TEST_S3_ENDPOINT"] != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func s3StoreRefusesTraversal() async throws {
        let environment = ProcessInfo.processInfo.environment
        let endpoint = try #require(environment["CAIRN_TEST_S3_ENDPOINT"], "CAIRN_TEST_S3_ENDPOINT is not set: run scripts/test.sh")
        let credentials = S3Credentials(
            accessKeyID: environment["CAIRN_TEST_S3_ACCESS_KEY"] ?? "", secretAccessKey: environment["CAIRN_TEST_S3_SECRET_KEY"] ?? "")
        let outer = "traversal-\(UUID().uuidString.lowercased())"
        var configuration = S3Configuration(
            bucket: environment["CAIRN_TEST_S3_BUCKET"] ?? "cairn-test", prefix: outer + "/root", credentials: credentials)
        configuration.endpoint = try S3Endpoint(parsing: endpoint)
        configuration.addressing = .pathStyle
        let store = S3ArtifactStore(configuration: configuration, logger: Logger(label: "traversal-test"))
        var bucketWide = configuration
        bucketWide.prefix = ""
        let bucketStore = S3ArtifactStore(configuration: bucketWide, logger: Logger(label: "traversal-test"))
        do {
            try await exercise(store)
            // Everything under the outer prefix: only the one safe file, inside root.
            #expect(try await bucketStore.allKeys(under: outer + "/") == [outer + "/root/safe/inside.txt"])
            #expect(try await bucketStore.allKeys(under: outer).count == 1)
        } catch {
            try? await store.shutdown()
            try? await bucketStore.shutdown()
            throw error
        }
        try await store.shutdown()
        try await bucketStore.shutdown()
    }
}
