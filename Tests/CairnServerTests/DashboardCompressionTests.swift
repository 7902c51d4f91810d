import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CairnServer

@Suite struct DashboardCompressionTests {
    @Test func pagesAndFilesAreGzippedForClientsThatAskAndPlainForOthers() async throws {
        try await TestServer.with { client, _ in
            for path in ["/static/cairn.js", "/"] {
                let plain = try await client.execute(uri: path, method: .get)
                #expect(plain.status == .ok)
                #expect(plain.headers[.contentEncoding] == nil, "\(path) without Accept-Encoding")
                let gzipped = try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "gzip, deflate, br"])
                #expect(gzipped.status == .ok)
                #expect(gzipped.headers[.contentEncoding] == "gzip", "\(path)")
                #expect(gzipped.headers[.vary] == "Accept-Encoding")
                var body = gzipped.body
                #expect(body.readableBytes < plain.body.readableBytes)
                let inflated = try body.decompress(with: .gzip())
                #expect(inflated == plain.body, "\(path) inflates to the plain body")
                let refused = try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "gzip;q=0, identity"])
                #expect(refused.headers[.contentEncoding] == nil, "\(path) with gzip;q=0")
            }
            // The API's JSON is never compressed.
            let api = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/search?max_results=1000", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(api.headers[.contentEncoding] == nil)
        }
    }

    @Test func acceptEncodingIsReadAsListedWithQualities() {
        func accepts(_ header: String) -> Bool {
            ResponseCompression.acceptsGzip(
                Request(
                    head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: [.acceptEncoding: header]),
                    body: .init(buffer: ByteBuffer())))
        }
        #expect(accepts("gzip"))
        #expect(accepts("br, GZIP;q=0.5"))
        #expect(accepts("*"))
        #expect(!accepts("br, deflate"))
        #expect(!accepts("gzip; q=0"))
        #expect(!accepts("gzip;q=0.000"))
    }
}
