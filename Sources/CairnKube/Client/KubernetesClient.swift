import AsyncHTTPClient
import CairnCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A small Kubernetes API client: server-side apply exactly as `kubectl apply --server-side`
/// sends it, GET of live objects, discovery, and the status writes tests need to play a controller.
///
/// Every call has a deadline (``Configuration/requestTimeout``); a refused connection, a TLS
/// failure or a silent server ends in a ``KubeError`` instead of a hang. Call ``shutdown()`` when done.
///
/// ```swift
/// let client = try KubernetesClient(config: try KubeConfig.load(path: "/etc/cairn/kubeconfig"))
/// let live = try await client.apply(manifest, force: true)
/// try await client.shutdown()
/// ```
public struct KubernetesClient: Sendable {
    /// Client settings, all defaulted.
    public struct Configuration: Sendable {
        /// The deadline of each API call, connection and TLS handshake included.
        public var requestTimeout: Duration = .seconds(30)
        /// The limit for establishing a TCP connection.
        public var connectTimeout: Duration = .seconds(10)
        /// How often a token file (a rotating service account token) is re-read.
        public var tokenFileRefreshInterval: Duration = .seconds(60)
        /// The limit for one run of an exec credential plugin.
        public var execTimeout: Duration = .seconds(60)
        /// The largest response body accepted.
        public var maximumResponseBytes: Int = 32 * 1024 * 1024
        /// The `User-Agent` header.
        public var userAgent: String = "cairn"

        /// Default settings.
        public init() {}
    }

    /// Where the client connects and with which identity.
    public let config: KubeConfig
    let configuration: Configuration
    let httpClient: HTTPClient
    let credentials: CredentialProvider
    let logger: Logger

    /// Creates a client with its own HTTP connection pool, trusting the configuration's CA.
    /// - Parameters:
    ///   - config: the server, TLS trust and credentials.
    ///   - configuration: timeouts and limits.
    ///   - logger: where request failures are logged (at debug level).
    /// - Throws: ``KubeError/Code/invalidConfiguration`` for an unusable certificate or key, or
    ///   credentials configured for a plain `http://` server (they are never sent in clear text).
    public init(config: KubeConfig, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "cairn.kube")) throws {
        if !config.usesTLS && !config.credentials.isEmpty {
            throw KubeError.invalidConfiguration(
                "refusing to send credentials over plain http to \(config.server): use an https:// server URL")
        }
        var tls = try config.makeTLSConfiguration(clientCertificate: config.credentials.clientCertificate)
        tls.applicationProtocols = ["http/1.1"]
        var pool = HTTPClient.Configuration.ConnectionPool()
        // Fail at once when the server cannot be reached instead of retrying until the deadline.
        pool.retryConnectionEstablishment = false
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(
                connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.requestTimeout)),
            connectionPool: pool)
        http.httpVersion = .http1Only
        self.config = config
        self.configuration = configuration
        self.logger = logger
        self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        self.credentials = CredentialProvider(
            config: config, tokenFileRefreshInterval: configuration.tokenFileRefreshInterval,
            execTimeout: configuration.execTimeout)
    }

    /// Closes the connection pool. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// Server-side applies one object, as `kubectl apply --server-side` does: `PATCH` to the
    /// object's path with `Content-Type: application/apply-patch+yaml` (the JSON body is YAML),
    /// `?fieldManager=…&fieldValidation=Strict`, plus `&force=true` and `&dryRun=All` when asked.
    /// The same call creates the object when it does not exist.
    /// - Parameters:
    ///   - manifest: the whole object: `apiVersion`, `kind`, `metadata.name` (and `metadata.namespace`,
    ///     else the configuration's namespace is used). No `managedFields`; no `resourceVersion` unless
    ///     a precondition is meant.
    ///   - fieldManager: the field manager recorded in `managedFields`.
    ///   - force: take ownership of fields other managers own instead of failing with a conflict.
    ///   - dryRun: run admission, validation and conflict detection without persisting anything.
    /// - Returns: the object as the server stored it (or would store it, for a dry run).
    /// - Throws: ``KubeError``: `.conflict` naming the other managers, `.forbidden` naming the
    ///   denied verb and resource, `.invalid`/`.badRequest`/`.admissionDenied` with the causes,
    ///   `.unreachable`/`.tlsFailure`/`.timeout`, `.invalidManifest`.
    public func apply(_ manifest: JSONValue, fieldManager: String = "cairn", force: Bool = false, dryRun: Bool = false) async throws -> JSONValue {
        let (resource, namespace, name, body) = try await prepareApply(manifest)
        try Self.checkFieldManager(fieldManager)
        var query = "fieldManager=\(Self.queryEscaped(fieldManager))&fieldValidation=Strict"
        if force { query += "&force=true" }
        if dryRun { query += "&dryRun=All" }
        let path = try resource.path(namespace: namespace, name: name)
        let response = try await send(
            .PATCH, path: path, query: query, body: Array(body.jsonString.utf8), contentType: "application/apply-patch+yaml")
        return try Self.decode(response, path: path)
    }

    /// Server-side applies a manifest given as JSON text (for example a rendered manifest's `json`).
    /// - Throws: ``KubeError/Code/invalidManifest`` when the text is not a JSON object, else as ``apply(_:fieldManager:force:dryRun:)``.
    public func apply(manifestJSON: String, fieldManager: String = "cairn", force: Bool = false, dryRun: Bool = false) async throws -> JSONValue {
        guard let manifest = try? JSONValue(parsing: manifestJSON), case .object = manifest else {
            throw KubeError(.invalidManifest, "the manifest is not a JSON object")
        }
        return try await apply(manifest, fieldManager: fieldManager, force: force, dryRun: dryRun)
    }

    /// Reads one object.
    /// - Parameters:
    ///   - apiVersion: e.g. `apps/v1`.
    ///   - kind: e.g. `Deployment`; kinds Cairn does not know are looked up by discovery.
    ///   - namespace: the namespace; `nil` uses the configuration's (ignored for cluster-scoped kinds).
    ///   - name: the object's name.
    /// - Returns: the live object, status included, or `nil` when it does not exist.
    /// - Throws: ``KubeError`` (a 404 because the API itself is not served is `.notFound`, not `nil`).
    public func get(apiVersion: String, kind: String, namespace: String? = nil, name: String) async throws -> JSONValue? {
        let resource = try await resolve(apiVersion: apiVersion, kind: kind)
        return try await get(resource, namespace: namespace, name: name)
    }

    /// Reads one object of a known resource type; `nil` when it does not exist.
    /// - Throws: ``KubeError`` as ``get(apiVersion:kind:namespace:name:)``.
    public func get(_ resource: KubeResource, namespace: String? = nil, name: String) async throws -> JSONValue? {
        let path = try resource.path(namespace: namespace ?? config.namespace, name: name)
        let response = try await send(.GET, path: path)
        if response.status == 404, Self.isObjectNotFound(response.body) { return nil }
        return try Self.decode(response, path: path)
    }

    /// JSON-merge-patches an object or its subresource (`status`), as a controller writes status.
    /// Test-only: the integration tests play KServe's controller with it.
    /// - Throws: ``KubeError``; `.notFound` when the object does not exist.
    @discardableResult
    @_spi(Testing) public func mergePatch(
        _ resource: KubeResource, namespace: String? = nil, name: String, subresource: String? = nil, patch: JSONValue
    ) async throws -> JSONValue {
        var path = try resource.path(namespace: namespace ?? config.namespace, name: name)
        if let subresource { path += "/\(subresource)" }
        let response = try await send(
            .PATCH, path: path, query: "fieldManager=cairn", body: Array(patch.jsonString.utf8), contentType: "application/merge-patch+json")
        return try Self.decode(response, path: path)
    }

    /// Deletes an object; returns `false` when it did not exist.
    /// - Throws: ``KubeError``.
    @discardableResult
    public func delete(_ resource: KubeResource, namespace: String? = nil, name: String) async throws -> Bool {
        let path = try resource.path(namespace: namespace ?? config.namespace, name: name)
        let response = try await send(.DELETE, path: path)
        if response.status == 404, Self.isObjectNotFound(response.body) { return false }
        _ = try Self.decode(response, path: path)
        return true
    }

    /// Reads the discovery documents: the served group versions and preferred versions, plus
    /// the resource lists of `listing` group versions (e.g. `["autoscaling/v2"]`) that are served.
    /// - Throws: ``KubeError``.
    public func serverResources(listing: [String] = []) async throws -> ServerResources {
        let core = try Self.decode(try await send(.GET, path: "/api"), path: "/api")
        let groups = try Self.decode(try await send(.GET, path: "/apis"), path: "/apis")
        var resources = try ServerResources.parse(coreVersions: core, groups: groups)
        for apiVersion in listing where resources.serves(apiVersion) {
            resources.resources[apiVersion] = try await resourceList(apiVersion: apiVersion)
        }
        return resources
    }

    /// The resources of one group version (`GET /apis/GROUP/VERSION`); empty when it is not served.
    /// - Throws: ``KubeError``.
    public func resourceList(apiVersion: String) async throws -> [KubeResource] {
        let (group, version) = KubeResource.split(apiVersion: apiVersion)
        let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let response = try await send(.GET, path: path)
        if response.status == 404 { return [] }
        return ServerResources.parseResourceList(try Self.decode(response, path: path), apiVersion: apiVersion)
    }
}
