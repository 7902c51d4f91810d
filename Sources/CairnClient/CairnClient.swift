import AsyncHTTPClient
import CairnCore
import Foundation
import NIOCore
import NIOHTTP1

/// A typed client of a running Cairn (or MLflow) server's HTTP API: the MLflow routes and
/// `/api/cairn/v1/...`, nothing else. The `cairn` CLI's client commands sit on it; tests and
/// other Swift programs can use it too.
///
/// Answers are the API's own JSON objects (``JSONValue``), so what the CLI prints as JSON is
/// exactly what the server sent. Calls that fail transiently (connection refused, 429, 502, 503,
/// 504) are retried under the ``RetryPolicy``; every other failure is a ``ClientError`` carrying
/// the server's `error_code` and message.
public struct CairnClient: Sendable {
    /// Where the server is and how to talk to it.
    public struct Configuration: Sendable {
        /// The server's base URL, e.g. `http://127.0.0.1:5000`.
        public var trackingURI: String
        /// An API token, sent as `Authorization: Bearer`.
        public var token: String?
        /// Retries of transient failures.
        public var retry = RetryPolicy()
        /// The longest one request may take.
        public var requestTimeout: Duration = .seconds(60)
        /// The largest JSON answer read.
        public var maximumResponseBytes = 64 * 1024 * 1024
        /// When large artifact files bypass the server's artifact proxy.
        public var directTransfer = DirectTransfer()

        public init(trackingURI: String, token: String? = nil) {
            self.trackingURI = trackingURI
            self.token = token
        }
    }

    public let configuration: Configuration
    let baseURL: String
    let httpClient: HTTPClient
    let directRoutes = DirectRouteSupport()

    /// A client of the server at `configuration.trackingURI`.
    /// - Throws: ``ClientError/Kind/usage`` for a URI that is not `http://` or `https://`.
    public init(_ configuration: Configuration, httpClient: HTTPClient = CairnClient.sharedHTTPClient) throws(ClientError) {
        var base = configuration.trackingURI
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), URL(string: base)?.host != nil else {
            throw ClientError(.usage, "Invalid tracking URI '\(configuration.trackingURI)': expected http://HOST[:PORT] or https://HOST[:PORT]")
        }
        self.configuration = configuration
        self.baseURL = base
        self.httpClient = httpClient
    }

    /// The HTTP client every ``CairnClient`` uses unless given another: a refused or failed
    /// connection fails at once (10 s to connect at most) instead of being retried inside the
    /// connection pool until the request's deadline, since ``RetryPolicy`` decides about retries.
    /// It lives as long as the process.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The HTTP client's event loops (the upload bodies wait on them; see ``FileChunks``).
    var eventLoops: [any EventLoop] { Array(httpClient.eventLoopGroup.makeIterator()) }

    /// The user agent sent with every request.
    static let userAgent = "cairn-cli/\(CairnVersion.current)"

    /// Sends one JSON request (retrying transient failures) and returns the answer's JSON.
    /// - Parameters:
    ///   - path: the route, e.g. `/api/2.0/mlflow/experiments/search`.
    ///   - query: query parameters, repeated names allowed.
    ///   - body: a JSON body (POST, PATCH).
    ///   - headers: extra headers (`Idempotency-Key`).
    /// - Throws: ``ClientError``.
    public func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, headers: [(String, String)] = []
    ) async throws(ClientError) -> JSONValue {
        let bytes = body.map { Array($0.jsonText().utf8) }
        let response = try await send(method, path, query: query, body: bytes, contentType: "application/json", headers: headers)
        if response.body.isEmpty { return .object([]) }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw ClientError(.failed, "The server at \(baseURL) answered \(path) with something other than JSON (is it a Cairn or MLflow server?)")
        }
    }

    /// Sends one listing request (retrying transient failures) and returns the page under `key`,
    /// its objects located in the answer's text but not decoded (see ``ResultPage``).
    /// - Throws: ``ClientError``.
    func listing(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, key: String
    ) async throws(ClientError) -> ResultPage {
        let bytes = body.map { Array($0.jsonText().utf8) }
        let response = try await send(method, path, query: query, body: bytes, contentType: "application/json")
        do {
            return try ResultPage(text: response.body, key: key)
        } catch {
            throw ClientError(.failed, "The server at \(baseURL) answered \(path) with something other than JSON (is it a Cairn or MLflow server?)")
        }
    }

    /// A response: status, headers and the whole body.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends a request with a body held in memory, retrying transient failures within the budget.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [UInt8]?, contentType: String?, headers: [(String, String)] = []
    ) async throws(ClientError) -> Answer {
        try await retrying { () async throws(ClientError) -> Answer in
            let answer = try await sendOnce(method, path, query: query, body: body, contentType: contentType, headers: headers)
            guard (200..<300).contains(answer.status) else {
                var failure = Self.error(status: answer.status, body: answer.body, path: path)
                failure.retryAfter = RetryPolicy.parseRetryAfter(answer.headers.first(name: "Retry-After"))
                throw failure
            }
            return answer
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry budget is spent: failures of
    /// kind ``ClientError/Kind/unavailable`` are retried after the policy's wait (or the server's
    /// `Retry-After`), everything else is thrown at once.
    func retrying<T>(_ attempt: () async throws(ClientError) -> T) async throws(ClientError) -> T {
        let started = ContinuousClock.now
        var attempts = 0
        while true {
            do {
                return try await attempt()
            } catch {
                guard error.kind == .unavailable,
                    let wait = configuration.retry.delay(
                        attempt: attempts, elapsed: ContinuousClock.now - started, retryAfter: error.retryAfter,
                        random: Double.random(in: 0..<1))
                else { throw error }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw ClientError(.interrupted, "Interrupted")
                }
                attempts += 1
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [UInt8]?, contentType: String?, headers: [(String, String)]
    ) async throws(ClientError) -> Answer {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Accept", value: "application/json")
        if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(configuration.requestTimeout))
            let buffer = try await response.body.collect(upTo: configuration.maximumResponseBytes)
            return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
        } catch {
            throw Self.transportError(error, method: method, path: path, baseURL: baseURL)
        }
    }

    /// The full URL of a route with its query.
    func url(_ path: String, query: [(String, String)]) -> String {
        guard !query.isEmpty else { return baseURL + path }
        return baseURL + path + "?"
            + query.map { "\(PercentEncoding.encodeComponent($0.0))=\(PercentEncoding.encodeComponent($0.1))" }.joined(separator: "&")
    }

    /// The error a non-2xx answer means: the server's `{"error_code", "message"}` when it sent one.
    static func error(status: Int, body: [UInt8], path: String) -> ClientError {
        let object = try? JSONValue(parsing: body)
        let code = object?["error_code"]?.stringValue
        let message = object?["message"]?.stringValue ?? "HTTP \(status) from \(path)"
        return ClientError.forStatus(status, errorCode: code, message: message)
    }

    /// A failure before any answer: unreachable (retried), timed out, or a broken answer.
    static func transportError(_ error: any Error, method: HTTPMethod, path: String, baseURL: String) -> ClientError {
        if let error = error as? ClientError { return error }
        if error is CancellationError || (error as? HTTPClientError) == .cancelled { return ClientError(.interrupted, "Interrupted") }
        if let client = error as? HTTPClientError, client == .deadlineExceeded || client == .readTimeout {
            return ClientError(.unavailable, "\(method.rawValue) \(baseURL)\(path) timed out")
        }
        if let error = error as? NIOTooManyBytesError {
            return ClientError(.failed, "The answer to \(path) is larger than \(error.maxBytes ?? 0) bytes")
        }
        return ClientError(.unavailable, "Cannot reach the server at \(baseURL): \(error)")
    }
}
