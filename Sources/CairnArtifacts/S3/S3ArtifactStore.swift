import AsyncHTTPClient
import CairnCore
import Logging
import NIOCore
import NIOHTTP1

/// Artifacts in an S3 bucket under a key prefix, over AsyncHTTPClient with SigV4 signing.
///
/// Uploads are buffered one part at a time (at most `partUploadConcurrency + 1` parts of
/// `partSize` bytes per upload): a body that fits in one part is one `PUT`, a larger one a
/// multipart upload that is aborted on any failure, so no partial object becomes visible.
/// Downloads stream S3's response body through; one of more than `partSize` bytes is fetched as
/// up to `downloadConcurrency` parallel ranged GETs, delivered in order. Every key is `prefix/` + a validated
/// ``ArtifactPath``, so nothing resolves outside the prefix.
///
/// > Warning: call ``shutdown()`` before releasing the store; it owns an `HTTPClient`.
public struct S3ArtifactStore: ArtifactStore {
    public let configuration: S3Configuration
    let httpClient: HTTPClient
    let signer: SigV4Signer
    let logger: Logger

    /// - Parameters:
    ///   - configuration: bucket, prefix, endpoint, credentials and limits.
    ///   - logger: for request failures.
    public init(configuration: S3Configuration, logger: Logger) {
        self.configuration = configuration
        var clientConfiguration = HTTPClient.Configuration(
            timeout: .init(
                connect: .seconds(configuration.connectTimeoutSeconds),
                read: .seconds(configuration.readTimeoutSeconds),
                write: .seconds(configuration.readTimeoutSeconds)),
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32),
            decompression: .disabled)
        clientConfiguration.httpVersion = .http1Only
        clientConfiguration.redirectConfiguration = .disallow
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.logger = logger
    }

    /// Closes the HTTP client's connections.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// Creates the bucket; an existing bucket of ours is fine. For tests (operators create buckets).
    @_spi(Testing) public func createBucket() async throws {
        _ = try await send(.PUT, key: nil, allowedStatuses: [409])
    }

    // MARK: - keys and URLs

    /// The object key of `path`: `prefix/path` (the prefix itself for the root).
    public func key(_ path: ArtifactPath) -> String {
        if configuration.prefix.isEmpty { return path.value }
        return path.isRoot ? configuration.prefix : configuration.prefix + "/" + path.value
    }

    /// The artifact path of an object key below the prefix; nil when the key is outside it.
    func relativePath(ofKey key: String) -> String? {
        if configuration.prefix.isEmpty { return key }
        let start = configuration.prefix + "/"
        return key.hasPrefix(start) ? String(key.dropFirst(start.count)) : nil
    }

    /// Host header and encoded path of `key` (nil: the bucket itself) at `endpoint`.
    func location(key: String?, endpoint: S3Endpoint) -> (host: String, path: String) {
        let encodedKey = key.map { SigV4Signer.uriEncode($0, keepSlash: true) }
        switch configuration.addressing {
        case .pathStyle:
            return (endpoint.authority, "/" + configuration.bucket + (encodedKey.map { "/" + $0 } ?? ""))
        case .virtualHosted:
            return (configuration.bucket + "." + endpoint.authority, "/" + (encodedKey ?? ""))
        }
    }

    // MARK: - requests

    /// The longest a whole small request (HEAD, list, delete, complete) may take.
    var shortDeadline: NIODeadline { .now() + .seconds(configuration.connectTimeoutSeconds + configuration.readTimeoutSeconds) }
    /// Streaming requests rely on the connect/read/write timeouts instead of a total deadline.
    var streamingDeadline: NIODeadline { .now() + .hours(24) }

    /// Signs and sends one request; non-2xx answers become ``CairnError``s (see ``S3Failure``).
    /// - Parameters:
    ///   - key: the object key; nil for a bucket-level request.
    ///   - body: the whole body (bounded by the part size), hashed into the signature.
    ///   - allowedStatuses: statuses returned instead of thrown (e.g. 404 for HEAD).
    func send(
        _ method: HTTPMethod, key: String?, query: [(name: String, value: String)] = [], headers extra: [(name: String, value: String)] = [],
        body: ByteBuffer? = nil, deadline: NIODeadline? = nil, allowedStatuses: Set<UInt> = []
    ) async throws -> HTTPClientResponse {
        let endpoint = configuration.effectiveEndpoint
        let (host, path) = location(key: key, endpoint: endpoint)
        let payloadHash = body.map(SigV4Signer.hexSHA256(_:)) ?? SigV4Signer.emptyPayloadHash
        var signed = SigV4Signer.Request(
            method: method.rawValue, path: path, query: query,
            headers: [(name: "Host", value: host), (name: "x-amz-content-sha256", value: payloadHash)] + extra)
        signer.sign(&signed, payloadHash: payloadHash, date: .now())
        let queryString = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(url: "\(endpoint.scheme)://\(host)\(path)\(queryString.isEmpty ? "" : "?" + queryString)")
        request.method = method
        for (name, value) in signed.headers where name != "Host" {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
            request.body = .bytes(body)
        } else if method == .PUT || method == .POST {
            request.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: deadline ?? shortDeadline, logger: logger)
        } catch {
            throw S3Failure.unreachable(error, endpoint: endpoint, operation: "\(method.rawValue) \(key ?? "(bucket)")", logger: logger)
        }
        if (200..<300).contains(response.status.code) || allowedStatuses.contains(response.status.code) {
            return response
        }
        let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
        throw S3Failure.answered(status: response.status.code, body: text, bucket: configuration.bucket, key: key, logger: logger)
    }

    /// Reads a small XML answer whole.
    func collectXML(_ response: HTTPClientResponse) async throws -> String {
        do {
            return String(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024))
        } catch {
            throw S3Failure.unreachable(error, endpoint: configuration.effectiveEndpoint, operation: "reading an S3 answer", logger: logger)
        }
    }
}
