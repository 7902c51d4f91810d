import CairnArtifacts
import CairnCore
import CairnServer
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// An in-process Cairn over a temporary SQLite file and artifact directory.
struct TestServer {
    let root: URL
    var artifactsRoot: URL { root.appendingPathComponent("artifacts") }

    /// Runs `body` with a test client for a fresh server; removes its files afterwards.
    static func with<T: Sendable>(_ body: @Sendable (any TestClientProtocol, TestServer) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-http-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .error
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let server = TestServer(root: root)
        let artifacts = try await LocalArtifactStore(root: server.artifactsRoot.path)
        let app = Application(router: buildRouter(store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts), logger: logger)
        let result = try await app.test(.router) { client in try await body(client, server) }
        await database.close()
        return result
    }
}

/// A migrated SQLite database at `path` and a tracking store on it with the Default experiment,
/// as `cairn serve` starts one. Callers close the database when done.
func openMigratedSQLiteStore(path: String, logger: Logger) async throws -> (SQLiteDatabase, SQLTrackingStore) {
    let database = try await SQLiteDatabase.open(path: path, logger: logger)
    try await Migrator(logger: logger).migrate(database)
    let store = SQLTrackingStore(database: database)
    try await store.bootstrap()
    return (database, store)
}

extension TestClientProtocol {
    /// POSTs (or sends with `method`) a JSON body and returns the status and parsed JSON object.
    @discardableResult
    func json(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        let response = try await execute(
            uri: path, method: method, headers: body == nil ? [:] : [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) })
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    /// Creates an experiment and a run; returns the run id.
    func newRun() async throws -> String {
        let (_, experiment) = try await json(.post, "/api/2.0/mlflow/experiments/create", #"{"name":"e-\#(UUID().uuidString)"}"#)
        let id = try #require(experiment["experiment_id"] as? String)
        let (_, run) = try await json(.post, "/api/2.0/mlflow/runs/create", #"{"experiment_id":"\#(id)","start_time":1}"#)
        return try #require(((run["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
    }
}

extension Data {
    init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
