import CairnArtifacts
import CairnCore
import Crypto
import Foundation
import NIOCore
import Testing

/// The S3 store against a real SeaweedFS (scripts/test.sh starts it).
@Suite(.enabled(if: S3TestEnvironment.isAvailable, "needs CAIRN_TEST_S3_ENDPOINT (scripts/test.sh starts SeaweedFS)"))
struct S3ArtifactStoreTests {
    func path(_ text: String) throws -> ArtifactPath { try ArtifactPath(validating: text) }

    func bytes(of store: S3ArtifactStore, _ path: ArtifactPath, range: Range<Int64>? = nil) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await store.read(path, range: range) { chunk in bytes.append(contentsOf: chunk.readableBytesView) }
        return bytes
    }

    @Test func putGetRangeListDelete() async throws {
        try await S3TestEnvironment.withStore { store in
            let hello = Array("hello, artifact store".utf8)
            #expect(try await store.put(path("a.txt"), body: [ByteBuffer(bytes: hello)].async) == Int64(hello.count))
            _ = try await store.put(path("dir/b.bin"), body: [ByteBuffer(bytes: [1, 2, 3])].async)
            _ = try await store.put(path("dir/sub/c with space+plus.txt"), body: [ByteBuffer(string: "c")].async)
            _ = try await store.put(path("empty.txt"), body: [ByteBuffer]().async)

            #expect(try await bytes(of: store, path("a.txt")) == hello)
            #expect(try await bytes(of: store, path("a.txt"), range: 7..<15) == Array(hello[7..<15]))
            #expect(try await bytes(of: store, path("empty.txt")) == [])
            #expect(try await store.info(path("a.txt")) == ArtifactFileInfo(path: "a.txt", isDirectory: false, size: Int64(hello.count)))
            #expect(try await store.info(path("dir")) == ArtifactFileInfo(path: "dir", isDirectory: true, size: nil))
            #expect(try await store.info(path("missing")) == nil)

            let root = try await store.list(.root)
            #expect(root.map(\.path) == ["a.txt", "dir", "empty.txt"])
            #expect(root.first { $0.path == "dir" }?.isDirectory == true)
            #expect(try await store.list(path("dir")).map(\.path) == ["dir/b.bin", "dir/sub"])
            #expect(try await store.list(path("dir/sub")).map(\.path) == ["dir/sub/c with space+plus.txt"])
            #expect(try await store.list(path("nope")) == [])

            try await store.delete(path("dir"))
            let afterDirectoryDelete = try await store.list(.root).map(\.path)
            #expect(afterDirectoryDelete == ["a.txt", "empty.txt"])
            try await store.delete(path("a.txt"))
            try await store.delete(path("never-existed"))
            let afterFileDelete = try await store.list(.root).map(\.path)
            #expect(afterFileDelete == ["empty.txt"])
            await #expect(throws: CairnError.notFound("")) { try await bytes(of: store, path("a.txt")) }
        }
    }

    @Test func listingFollowsContinuationTokens() async throws {
        var configuration = try S3TestEnvironment.configuration()
        configuration.listPageSize = 2
        try await S3TestEnvironment.withStore(configuration) { store in
            for index in 0..<5 { _ = try await store.put(path("many/f\(index)"), body: [ByteBuffer(string: "\(index)")].async) }
            for index in 0..<3 { _ = try await store.put(path("many/d\(index)/x"), body: [ByteBuffer(string: "x")].async) }
            let listing = try await store.list(path("many"))
            #expect(listing.count == 8)
            #expect(listing.filter(\.isDirectory).map(\.path) == ["many/d0", "many/d1", "many/d2"])
            try await store.delete(path("many"))
            let afterDelete = try await store.list(.root).map(\.path)
            #expect(afterDelete == [])
        }
    }

    @Test func largeStreamGoesMultipartAndRoundTrips() async throws {
        try await S3TestEnvironment.withStore { store in
            let size = 21 * 1024 * 1024 + 12345  // five 5 MiB parts and a short one
            let stream = PatternStream(size: size, chunkSize: 64 * 1024 + 7)
            #expect(try await store.put(path("big/model.bin"), body: stream) == Int64(size))
            #expect(try await store.info(path("big/model.bin"))?.size == Int64(size))
            var hasher = SHA256()
            var expected = SHA256()
            var offset = 0
            try await store.read(path("big/model.bin"), range: nil) { chunk in
                hasher.update(data: Array(chunk.readableBytesView))
                expected.update(data: (offset..<(offset + chunk.readableBytes)).map(PatternStream.byte(at:)))
                offset += chunk.readableBytes
            }
            #expect(offset == size)
            #expect(Array(hasher.finalize()) == Array(expected.finalize()))
            let tail = try await bytes(of: store, path("big/model.bin"), range: Int64(size - 10)..<Int64(size))
            #expect(tail == ((size - 10)..<size).map(PatternStream.byte(at:)))
            try await store.delete(path("big"))
        }
    }

    @Test func failedStreamLeavesNoObject() async throws {
        try await S3TestEnvironment.withStore { store in
            // Fails in the third part: two parts were uploaded, the upload must be aborted.
            let stream = PatternStream(size: 30 * 1024 * 1024, chunkSize: 256 * 1024, failAfter: 12 * 1024 * 1024)
            await #expect(throws: PatternStream.StreamFailure.self) { _ = try await store.put(path("broken.bin"), body: stream) }
            let small = PatternStream(size: 1024 * 1024, chunkSize: 4096, failAfter: 512 * 1024)
            await #expect(throws: PatternStream.StreamFailure.self) { _ = try await store.put(path("broken-small.bin"), body: small) }
            let info = try await store.info(path("broken.bin"))
            #expect(info == nil)
            let listing = try await store.list(.root)
            #expect(listing == [])
        }
    }

    @Test func keysStayInsideThePrefix() async throws {
        let configuration = try S3TestEnvironment.configuration()
        try await S3TestEnvironment.withStore(configuration) { store in
            #expect(store.key(try path("a/./b//c")) == configuration.prefix + "/a/b/c")
            #expect(store.key(.root) == configuration.prefix)
            _ = try await store.put(path("x/y.txt"), body: [ByteBuffer(string: "y")].async)
        }
        let outer = String(configuration.prefix.split(separator: "/").first!)
        #expect(try await S3TestEnvironment.keys(under: outer + "/") == [configuration.prefix + "/x/y.txt"])
    }

    @Test func unreachableS3IsA503Quickly() async throws {
        var configuration = try S3TestEnvironment.configuration()
        configuration.endpoint = S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9)  // discard port: nothing listens
        let started = ContinuousClock.now
        try await S3TestEnvironment.withStore(configuration) { store in
            let error = await #expect(throws: CairnError.self) { _ = try await store.put(path("x"), body: [ByteBuffer(string: "x")].async) }
            #expect(error?.code == .temporarilyUnavailable)
            #expect(error?.message.contains("unreachable") == true)
            await #expect(throws: CairnError(.temporarilyUnavailable, "")) { _ = try await store.list(.root) }
        }
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func wrongCredentialsAreA502() async throws {
        var configuration = try S3TestEnvironment.configuration()
        configuration.credentials.secretAccessKey = "not-the-secret"
        try await S3TestEnvironment.withStore(configuration) { store in
            let error = await #expect(throws: CairnError.self) { _ = try await store.put(path("x"), body: [ByteBuffer(string: "x")].async) }
            #expect(error?.code == .badGateway)
            #expect(error?.message.contains("denied") == true)
            #expect(error?.message.contains(configuration.bucket) == false, "the bucket stays in the server log")
        }
    }

    @Test func presignedURLsWorkWithoutCairn() async throws {
        try await S3TestEnvironment.withStore { store in
            _ = try await store.put(path("p.txt"), body: [ByteBuffer(string: "presigned")].async)
            let download = try await store.presignedDownload(path("p.txt"))
            #expect(download.size == 9)
            #expect(download.url.contains("X-Amz-Signature="))
            let fetched = try await HTTPProbe.get(download.url)
            #expect(fetched.status == 200)
            #expect(fetched.body == "presigned")
            let tampered = download.url.replacingOccurrences(of: "X-Amz-Signature=", with: "X-Amz-Signature=0")
            #expect(try await HTTPProbe.get(tampered).status == 403)
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (test bodies).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
