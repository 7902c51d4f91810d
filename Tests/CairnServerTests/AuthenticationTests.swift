import CairnArtifacts
import CairnCore
import CairnPromotion
import CairnStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import CairnServer

/// Authentication through the real router: every route but health and readiness refuses a
/// request without a credential; scopes are enforced; secrets never appear in answers.
@Suite struct AuthenticationTests {
    static let adminSecret = "cairn_admin_" + String(repeating: "9", count: 40)

    static func withAuthServer<T: Sendable>(
        _ body: @Sendable (any TestClientProtocol, [(method: String, path: String)], TokenStore) async throws -> T
    ) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-auth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let logger = Logger(label: "test")
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let tokens = TokenStore(database: database)
        try await tokens.seed(name: "admin-env", scope: .admin, secret: adminSecret)
        var auth = AuthConfiguration()
        auth.mode = .token
        let table = RouteTable()
        let router = buildRouter(
            store: store, registry: SQLRegistryStore(tracking: store),
            artifacts: try await LocalArtifactStore(root: root.appendingPathComponent("a").path),
            tokens: tokens, auth: auth, promotion: try await PromotionService.withoutTargets(database: database, store: store), routeTable: table)
        let result = try await Application(router: router, logger: logger).test(.router) { client in try await body(client, table.all, tokens) }
        await database.close()
        return result
    }

    static let dashboardPages: Set<String> = [
        "/", "/experiments/:id", "/runs/:id", "/compare", "/models", "/models/:name", "/models/:name/rollback", "/deployments",
    ]

    @Test func everyRouteButHealthReadyAndStaticFilesRefusesRequestsWithoutCredentials() async throws {
        try await Self.withAuthServer { client, routes, _ in
            #expect(routes.count > 60)
            for (method, path) in routes {
                let concrete = path.replacingOccurrences(of: "/**", with: "/x/y.txt")
                    .split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "p" : String($0) }.joined(separator: "/")
                let response = try await client.execute(uri: concrete, method: HTTPRequest.Method(method)!, body: ByteBuffer(string: "{}"))
                if ["/health", "/ready", "/livez", "/readyz", "/startupz"].contains(path) {
                    #expect(response.status == .ok, "\(method) \(path)")
                } else if path == "/static/:file" {
                    // The dashboard's stylesheet and icon hold nothing private; an unknown name is a 404.
                    #expect(response.status == .notFound, "\(method) \(path) answered \(response.status)")
                } else if Self.dashboardPages.contains(path) || path == "/signout" {
                    // A browser without a session is sent to the sign-in form (signing out ends nothing).
                    #expect(response.status == .seeOther, "\(method) \(path) answered \(response.status)")
                    #expect(response.headers[.location]?.hasPrefix("/signin") == true, "\(method) \(path)")
                } else if path == "/signin" {
                    // The form (GET), or a refused sign-in without a valid token (POST): the form again, 401.
                    #expect(response.status == (method == "GET" ? .ok : .unauthorized), "\(method) \(path) answered \(response.status)")
                } else if path == "/api/cairn/v1/webhooks/promote" {
                    // Authenticated by its signature, not a token; with no secret configured it refuses everything.
                    #expect(response.status == .forbidden, "\(method) \(path) answered \(response.status)")
                } else {
                    #expect(response.status == .unauthorized, "\(method) \(path) answered \(response.status)")
                    #expect(String(buffer: response.body).contains("UNAUTHENTICATED"))
                    #expect(response.headers[.wwwAuthenticate] != nil)
                }
            }
        }
    }

    @Test func scopesAreEnforcedAndBasicCarriesTheTokenAsPassword() async throws {
        try await Self.withAuthServer { client, _, tokens in
            let reader = try await tokens.create(name: "reader", scope: .read).secret
            let writer = try await tokens.create(name: "writer", scope: .write).secret
            let basic = "Basic " + Data("anyone:\(writer)".utf8).base64EncodedString()
            func call(_ method: HTTPRequest.Method, _ path: String, _ authorization: String, _ body: String = "{}") async throws -> TestResponse {
                try await client.execute(uri: path, method: method, headers: [.authorization: authorization], body: ByteBuffer(string: body))
            }
            #expect(try await call(.post, "/api/2.0/mlflow/experiments/search", "Bearer \(reader)").status == .ok)
            let denied = try await call(.post, "/api/2.0/mlflow/experiments/create", "Bearer \(reader)", #"{"name":"x"}"#)
            #expect(denied.status == .forbidden)
            #expect(String(buffer: denied.body).contains("PERMISSION_DENIED"))
            #expect(!String(buffer: denied.body).contains(reader))
            #expect(try await call(.post, "/api/2.0/mlflow/experiments/create", basic, #"{"name":"x"}"#).status == .ok)
            #expect(try await call(.post, "/api/2.0/mlflow/experiments/delete", basic, #"{"experiment_id":"1"}"#).status == .forbidden)
            #expect(
                try await call(.post, "/api/2.0/mlflow/experiments/delete", "Bearer \(Self.adminSecret)", #"{"experiment_id":"1"}"#).status == .ok)
            let wrong = try await call(.get, "/api/2.0/mlflow/experiments/get?experiment_id=0", "Bearer cairn_wrong_secret_value_0000000000000000")
            #expect(wrong.status == .unauthorized)
            #expect(!String(buffer: wrong.body).contains("cairn_wrong_secret_value"))
            #expect(try await call(.get, "/api/cairn/v1/tokens", "Bearer \(writer)").status == .forbidden)
        }
    }

    @Test func credentialsAreReadFromBearerAndBasicHeadersOnly() {
        func request(_ value: String?) -> Request {
            var headers = HTTPFields()
            if let value { headers[.authorization] = value }
            let head = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/", headerFields: headers)
            return Request(head: head, body: .init(buffer: ByteBuffer()))
        }
        #expect(Authenticator.credential(request("Bearer abc")) == "abc")
        #expect(Authenticator.credential(request("bearer   abc ")) == "abc")
        #expect(Authenticator.credential(request("Basic " + Data("u:secret:with:colons".utf8).base64EncodedString())) == "secret:with:colons")
        #expect(Authenticator.credential(request("Basic " + Data("only-user:".utf8).base64EncodedString())) == nil)
        #expect(Authenticator.credential(request("Token abc")) == nil)
        #expect(Authenticator.credential(request(nil)) == nil)
    }

    @Test func withoutAuthenticationOnlyLoopbackIsAllowedUnlessExplicitlyInsecure() throws {
        var configuration = ServerConfiguration()
        configuration.host = "0.0.0.0"
        #expect(throws: CairnError.self) { try configuration.validate() }
        configuration.insecureAllowRemote = true
        try configuration.validate()
        configuration.insecureAllowRemote = false
        configuration.auth.mode = .token
        try configuration.validate()
        configuration.auth.rateLimitPerSecond = 5
        #expect(throws: CairnError.self) { try configuration.validate() }
    }

    @Test func theRateLimiterAllowsBurstsThenAsksToWait() {
        let limiter = RateLimiter(perSecond: 50)
        let allowed = (0..<100).filter { _ in limiter.acquire("t", now: 1000) == nil }.count
        #expect(allowed == 100)
        #expect(limiter.acquire("t", now: 1000) == 1)
        #expect(limiter.acquire("t", now: 1001) == nil)
        #expect(limiter.acquire("other", now: 1000) == nil)
    }
}

extension AuthenticationTests {
    /// A credential the store did not know is answered from memory for a few seconds: a client
    /// (or an attacker) retrying it does not reach the database each time. Shown by installing
    /// the token after the first refusal: the next request is still refused without a lookup.
    @Test func anUnknownCredentialIsNotLookedUpAgainForAFewSeconds() async throws {
        try await Self.withAuthServer { client, _, tokens in
            let secret = "cairn_later_" + String(repeating: "5", count: 40)
            let headers: HTTPFields = [.authorization: "Bearer \(secret)"]
            let first = try await client.execute(uri: "/api/2.0/mlflow/experiments/search?max_results=1", method: .get, headers: headers)
            #expect(first.status == .unauthorized)
            try await tokens.seed(name: "later", scope: .read, secret: secret)
            let second = try await client.execute(uri: "/api/2.0/mlflow/experiments/search?max_results=1", method: .get, headers: headers)
            #expect(second.status == .unauthorized, "the miss was remembered, so the database was not asked again")
        }
    }
}
