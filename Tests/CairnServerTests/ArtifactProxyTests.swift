import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The artifact proxy on the local-directory store: streaming round trip, ranges, listing and
/// path safety.
@Suite struct ArtifactProxyTests {
    static let prefix = "/api/2.0/mlflow-artifacts/artifacts"

    @Test func filesRoundTripWithRangesListingAndDelete() async throws {
        try await TestServer.with { client, _ in
            let bytes = ByteBuffer(bytes: (0..<300_000).map { UInt8($0 % 251) })
            let put = try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/dir/blob.bin", method: .put, body: bytes)
            #expect(put.status == .ok)
            let get = try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/dir/blob.bin", method: .get)
            #expect(get.status == .ok)
            #expect(get.body == bytes)
            #expect(get.headers[.contentLength] == "300000")
            let range = try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/dir/blob.bin", method: .get, headers: [.range: "bytes=10-19"])
            #expect(range.status == .partialContent)
            #expect(range.headers[.contentRange] == "bytes 10-19/300000")
            #expect(Array(range.body.readableBytesView) == (10..<20).map { UInt8($0 % 251) })
            let (_, listing) = try await client.json(.get, "\(Self.prefix)?path=1/run/artifacts")
            let files = try #require(listing["files"] as? [[String: Any]])
            #expect(files.count == 1)
            #expect(files[0]["path"] as? String == "dir")
            #expect(files[0]["is_dir"] as? Bool == true)
            let (_, inner) = try await client.json(.get, "\(Self.prefix)?path=1/run/artifacts/dir")
            #expect((inner["files"] as? [[String: Any]])?.first?["file_size"] as? Int == 300_000)
            let deleted = try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/dir/blob.bin", method: .delete)
            #expect(deleted.status == .ok)
            let gone = try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/dir/blob.bin", method: .get)
            #expect(gone.status == .notFound)
            let (_, empty) = try await client.json(.get, "\(Self.prefix)?path=missing/dir")
            #expect(empty.isEmpty)
        }
    }

    /// Traversal spellings, each refused with 400 before anything touches the disk.
    static let traversals = [
        "../escape.txt", "a/../../escape.txt", "%2e%2e/escape.txt", "%2E%2E/escape.txt", "a/%2e%2e/%2e%2e/escape.txt",
        "..%2fescape.txt", "..%2Fescape.txt", "%2e%2e%2fescape.txt", "a/..%5c..%5cescape.txt", "%252e%252e/escape.txt",
        "a/%252e%252e%252f%252e%252e/escape.txt", "..\\escape.txt", "a/%00/escape.txt", "%2fetc/escape.txt", "a/\u{01}/escape.txt",
        String(repeating: "a/", count: 600) + "escape.txt",
    ]

    @Test(arguments: traversals)
    func traversalAttemptsAreRefusedAndWriteNothingOutsideTheRoot(path: String) async throws {
        try await TestServer.with { client, server in
            let encoded = path.replacingOccurrences(of: "\\", with: "%5C").replacingOccurrences(of: "\u{01}", with: "%01")
            for method in [HTTPRequest.Method.put, .get, .delete] {
                let response = try await client.execute(uri: "\(Self.prefix)/\(encoded)", method: method, body: ByteBuffer(string: "payload"))
                #expect(response.status == .badRequest, "\(method) \(encoded) → \(response.status)")
            }
            let (status, _) = try await client.json(.get, "\(Self.prefix)?path=\(encoded)")
            #expect(status == .badRequest, "list \(encoded)")
            let outside = try FileManager.default.contentsOfDirectory(atPath: server.root.path).filter {
                $0 != "artifacts" && !$0.hasPrefix("cairn.db")
            }
            #expect(outside.isEmpty, "files appeared beside the artifact root: \(outside)")
            #expect(!FileManager.default.fileExists(atPath: server.root.deletingLastPathComponent().appendingPathComponent("escape.txt").path))
        }
    }
}
