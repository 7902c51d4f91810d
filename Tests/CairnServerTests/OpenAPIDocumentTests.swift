import CairnArtifacts
import CairnCore
import CairnPromotion
import CairnStore
import Foundation
import Logging
import NIOCore
import Testing

@testable import CairnServer

/// The OpenAPI document describes exactly the routes the router serves.
@Suite struct OpenAPIDocumentTests {
    /// Every registered route as `METHOD /path/{param}` (OpenAPI's spelling).
    static func registeredOperations() async throws -> [String] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try await SQLiteDatabase.open(path: ":memory:", logger: Logger(label: "test"))
        let store = SQLTrackingStore(database: database)
        let table = RouteTable()
        _ = buildRouter(
            store: store, registry: SQLRegistryStore(tracking: store), artifacts: try await LocalArtifactStore(root: root.path),
            tokens: TokenStore(database: database), auth: .init(),
            promotion: try await PromotionService.withoutTargets(database: database, store: store), routeTable: table)
        await database.close()
        return table.all.map { method, path in
            let spelled = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
                if segment == "**" { return "{artifact_path}" }
                if segment.hasPrefix(":") { return "{\(segment.dropFirst())}" }
                return String(segment)
            }.joined(separator: "/")
            return "\(method) \(spelled)"
        }
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() async throws {
        let operations = try await Self.registeredOperations()
        if let path = ProcessInfo.processInfo.environment["CAIRN_ROUTE_INVENTORY"] {
            try operations.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIController.document.readableBytesView)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } })
        let registered = Set(operations)
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from the document")
        #expect(documented.subtracting(registered).sorted() == [], "documented operations the server does not serve")
    }
}
