import AsyncHTTPClient
import CairnCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

extension KubernetesClient {
    /// A response: status and body bytes.
    struct RawResponse: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Sends one request with the current credential and a deadline; after a 401 with a
    /// refreshable credential (token file, exec plugin) it refreshes and retries once.
    func send(
        _ method: HTTPMethod, path: String, query: String? = nil, body: [UInt8]? = nil, contentType: String? = nil
    ) async throws -> RawResponse {
        let first = try await sendOnce(method, path: path, query: query, body: body, contentType: contentType)
        let refreshable = config.credentials.exec != nil || { if case .file = config.credentials.bearerToken { true } else { false } }()
        guard first.status == 401, refreshable else { return first }
        await credentials.invalidate()
        return try await sendOnce(method, path: path, query: query, body: body, contentType: contentType)
    }

    private func sendOnce(
        _ method: HTTPMethod, path: String, query: String?, body: [UInt8]?, contentType: String?
    ) async throws -> RawResponse {
        let credential = try await credentials.current()
        var request = HTTPClientRequest(url: config.server + path + (query.map { "?\($0)" } ?? ""))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let token = credential.bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let tls = credential.tlsConfiguration { request.tlsConfiguration = tls }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = TimeAmount(configuration.requestTimeout)
        do {
            let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
            let buffer = try await response.body.collect(upTo: configuration.maximumResponseBytes)
            return RawResponse(status: Int(response.status.code), body: Array(buffer.readableBytesView))
        } catch let error as KubeError {
            throw error
        } catch {
            logger.debug("kubernetes request failed", metadata: ["method": "\(method.rawValue)", "path": "\(path)", "error": "\(error)"])
            throw KubeError.transport(error, method: method.rawValue, server: config.server, path: path, timeout: configuration.requestTimeout)
        }
    }

    /// The object in a 2xx answer, else the answer mapped to a ``KubeError``.
    static func decode(_ response: RawResponse, path: String) throws -> JSONValue {
        guard (200..<300).contains(response.status) else {
            throw KubeError.fromResponse(status: response.status, body: response.body, path: path)
        }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw KubeError(.invalidResponse, "the API server answered \(path) with something that is not JSON", httpStatus: response.status)
        }
    }

    /// A 404 `Status` about an object (it names the object), as opposed to an API that is not served.
    static func isObjectNotFound(_ body: [UInt8]) -> Bool {
        guard let status = try? JSONValue(parsing: body), status["kind"]?.stringValue == "Status" else { return false }
        return status["reason"]?.stringValue == "NotFound" && !(status["details"]?["name"]?.stringValue ?? "").isEmpty
    }

    /// Finds the resource of a kind: the kinds Cairn knows without a request, others by discovery.
    func resolve(apiVersion: String, kind: String) async throws -> KubeResource {
        if let known = KubeResource.known(apiVersion: apiVersion, kind: kind) { return known }
        if let found = try await resourceList(apiVersion: apiVersion).first(where: { $0.kind == kind }) { return found }
        throw KubeError(.notFound, "the API server does not serve \(kind) in \(apiVersion) (is its CRD installed?)")
    }

    /// Checks an apply manifest and finds its path: resource, namespace, name, and the body to
    /// send (with `metadata.namespace` filled in from the configuration when missing).
    func prepareApply(_ manifest: JSONValue) async throws -> (KubeResource, String?, String, JSONValue) {
        guard case .object = manifest else { throw KubeError(.invalidManifest, "the manifest is not a JSON object") }
        var object = manifest
        guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw KubeError(.invalidManifest, "the manifest has no apiVersion")
        }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else { throw KubeError(.invalidManifest, "the manifest has no kind") }
        guard let metadata = object["metadata"], case .object = metadata, let name = metadata["name"]?.stringValue, !name.isEmpty else {
            throw KubeError(.invalidManifest, "the \(kind) manifest has no metadata.name")
        }
        if metadata["managedFields"] != nil {
            throw KubeError(.invalidManifest, "the \(kind) \(name) manifest carries metadata.managedFields, which apply refuses")
        }
        let resource = try await resolve(apiVersion: apiVersion, kind: kind)
        var namespace: String?
        if resource.namespaced {
            namespace = metadata["namespace"]?.stringValue ?? config.namespace
            object["metadata"]?["namespace"] = namespace.map(JSONValue.string)
        }
        return (resource, namespace, name, object)
    }

    /// A field manager is at most 128 printable ASCII characters.
    static func checkFieldManager(_ manager: String) throws {
        guard !manager.isEmpty, manager.utf8.count <= 128, manager.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw KubeError(.invalidManifest, "field manager \"\(manager)\" must be 1 to 128 printable ASCII characters")
        }
    }

    static func queryEscaped(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
