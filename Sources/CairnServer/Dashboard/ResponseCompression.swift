import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// gzip for the dashboard's pages and files, when the browser asks for it (every browser does):
/// a page's weight is mostly SVG path data, which compresses to about a third. The API's JSON is
/// left alone: its clients are scripts on the same network, and a log-batch answer is a few bytes.
enum ResponseCompression {
    /// Bodies below this are sent as they are: gzip's header and a round trip through zlib would
    /// cost more than they save.
    static let minimumSize = 1024

    /// Whether the request's `Accept-Encoding` lists gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptEncoding] else { return false }
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.filter { !$0.isWhitespace }.lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { continue }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return weight > 0
        }
        return false
    }

    /// `response` gzipped when the client takes gzip, its body is text of at least
    /// ``minimumSize`` bytes and nothing encoded it already; otherwise `response` unchanged.
    static func gzipIfAccepted(_ response: Response, for request: Request) async throws -> Response {
        guard acceptsGzip(request), response.headers[.contentEncoding] == nil, let type = response.headers[.contentType],
            type.hasPrefix("text/") || type.hasPrefix("application/javascript") || type.hasPrefix("image/svg+xml"),
            let length = response.body.contentLength, length >= minimumSize
        else { return response }
        let collector = BodyCollector(capacity: length)
        try await response.body.write(CollectingWriter(collector: collector))
        var plain = collector.buffer
        let compressed = try plain.compress(with: .gzip())
        var gzipped = response
        gzipped.headers[.contentEncoding] = "gzip"
        gzipped.headers[.vary] = "Accept-Encoding"
        gzipped.headers[.contentLength] = String(compressed.readableBytes)
        gzipped.body = ResponseBody(byteBuffer: compressed)
        return gzipped
    }

    /// Where ``CollectingWriter`` leaves the body (the writer itself is consumed by the write).
    private final class BodyCollector: @unchecked Sendable {
        var buffer: ByteBuffer
        init(capacity: Int) {
            buffer = ByteBuffer()
            buffer.reserveCapacity(capacity)
        }
    }

    /// A response-body writer that keeps what is written, for bodies already in memory.
    private struct CollectingWriter: ResponseBodyWriter {
        let collector: BodyCollector
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collector.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
