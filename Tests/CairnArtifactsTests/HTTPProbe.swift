import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Plain HTTP requests from tests (presigned URLs, readiness probes), on the shared client.
enum HTTPProbe {
    static func get(_ url: String) async throws -> (status: UInt, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1024 * 1024)
        return (response.status.code, String(buffer: body))
    }
}
