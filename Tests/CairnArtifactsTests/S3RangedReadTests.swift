import CairnArtifacts
import CairnCore
import Foundation
import NIOCore
import Testing

/// Downloads cut into parallel ranged GETs (`S3Configuration.downloadConcurrency`), against the
/// real SeaweedFS that scripts/test.sh starts. Objects are written by a store with the usual 5 MiB
/// parts and read by one with 64 KiB parts, so a small object spans several download parts.
@Suite(.enabled(if: S3TestEnvironment.isAvailable, "needs CAIRN_TEST_S3_ENDPOINT (scripts/test.sh starts SeaweedFS)"))
struct S3RangedReadTests {
    static let partSize = 64 * 1024
    /// Three and a half download parts.
    static let size = 3 * partSize + partSize / 2

    struct StopReading: Error {}

    func path(_ text: String) throws -> ArtifactPath { try ArtifactPath(validating: text) }

    func pattern(_ range: Range<Int>) -> [UInt8] { range.map(PatternStream.byte(at:)) }

    /// Runs `body` with a writer and a reader (64 KiB parts, `concurrency` GETs) on one fresh prefix.
    func withStores(concurrency: Int = 4, _ body: (_ writer: S3ArtifactStore, _ reader: S3ArtifactStore) async throws -> Void) async throws {
        let configuration = try S3TestEnvironment.configuration()
        var readerConfiguration = configuration
        readerConfiguration.partSize = Self.partSize
        readerConfiguration.downloadConcurrency = concurrency
        try await S3TestEnvironment.withStore(configuration) { writer in
            try await S3TestEnvironment.withStore(readerConfiguration) { reader in
                try await body(writer, reader)
            }
        }
    }

    /// The chunks `read` delivers.
    func chunks(of store: S3ArtifactStore, _ path: ArtifactPath, range: Range<Int64>? = nil) async throws -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        try await store.read(path, range: range) { chunks.append($0) }
        return chunks
    }

    @Test(arguments: [1, 2, 4, 8])
    func multiPartObjectReadsByteExact(concurrency: Int) async throws {
        try await withStores(concurrency: concurrency) { writer, reader in
            _ = try await writer.put(path("m.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            let chunks = try await chunks(of: reader, path("m.bin"))
            #expect(chunks.flatMap { Array($0.readableBytesView) } == pattern(0..<Self.size))
            if concurrency > 1 {
                // Parts after the first (which streams through) arrive as one buffer each.
                #expect(chunks.suffix(3).map(\.readableBytes) == [Self.partSize, Self.partSize, Self.partSize / 2])
            }
        }
    }

    @Test func objectsOfWholePartsAndSmallerOnesRead() async throws {
        try await withStores { writer, reader in
            for size in [1, Self.partSize - 1, Self.partSize, Self.partSize + 1, 2 * Self.partSize] {
                _ = try await writer.put(path("s\(size).bin"), body: PatternStream(size: size, chunkSize: 7_000))
                let bytes = try await readAll { try await reader.read(path("s\(size).bin"), range: nil, into: $0) }
                #expect(bytes == pattern(0..<size), "size \(size)")
            }
        }
    }

    @Test func rangeSpanningPartsIsByteExact() async throws {
        try await withStores { writer, reader in
            _ = try await writer.put(path("r.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            let part = Self.partSize
            let ranges = [
                (part / 2)..<(2 * part + 1000),  // across three download parts
                (part + 5)..<Self.size,  // to the end of the object
                0..<(part + 1),  // one byte more than a part
                1..<(Self.size - 1),
            ]
            for range in ranges {
                let requested = Int64(range.lowerBound)..<Int64(range.upperBound)
                let bytes = try await readAll { try await reader.read(path("r.bin"), range: requested, into: $0) }
                #expect(bytes == pattern(range), "range \(range)")
            }
        }
    }

    @Test func rangeInsideOnePartIsOneGET() async throws {
        try await withStores { writer, reader in
            _ = try await writer.put(path("r.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            let part = Self.partSize
            for range in [1000..<5000, (part + 10)..<(part + 11), (2 * part - 100)..<(3 * part - 100)] {
                let requested = Int64(range.lowerBound)..<Int64(range.upperBound)
                let bytes = try await readAll { try await reader.read(path("r.bin"), range: requested, into: $0) }
                #expect(bytes == pattern(range), "range \(range)")
            }
        }
    }

    @Test func emptyAndMissingObjects() async throws {
        try await withStores { writer, reader in
            _ = try await writer.put(path("empty.bin"), body: [ByteBuffer]().async)
            #expect(try await readAll { try await reader.read(path("empty.bin"), range: nil, into: $0) } == [])
            await #expect(throws: CairnError.notFound("")) {
                _ = try await readAll { try await reader.read(path("missing.bin"), range: nil, into: $0) }
            }
        }
    }

    @Test func aFailingConsumerStopsTheDownload() async throws {
        try await withStores(concurrency: 2) { writer, reader in
            _ = try await writer.put(path("c.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            var received = 0
            await #expect(throws: StopReading.self) {
                try await reader.read(path("c.bin"), range: nil) { chunk in
                    received += chunk.readableBytes
                    if received > Self.partSize { throw StopReading() }
                }
            }
            #expect(received > Self.partSize && received < Self.size)
        }
    }

    @Test func cancellationEndsTheDownloadPromptly() async throws {
        try await withStores { writer, reader in
            _ = try await writer.put(path("c.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            let readPath = try path("c.bin")
            let task = Task {
                try await reader.read(readPath, range: nil) { _ in
                    startedContinuation.yield()
                    try await Task.sleep(for: .seconds(60))
                }
            }
            for await _ in started { break }
            let cancelled = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - cancelled < .seconds(30))  // the consumer sleeps 60 s; CI can be slow
        }
    }

    @Test func anObjectReplacedMidDownloadIsAConflict() async throws {
        try await withStores(concurrency: 2) { writer, reader in
            _ = try await writer.put(path("v.bin"), body: PatternStream(size: Self.size, chunkSize: 10_000))
            var replaced = false
            let error = await #expect(throws: CairnError.self) {
                try await reader.read(path("v.bin"), range: nil) { _ in
                    guard !replaced else { return }
                    replaced = true
                    // Part 2 is requested only after part 0 has been consumed, so it sees the new object.
                    _ = try await writer.put(path("v.bin"), body: [ByteBuffer(repeating: 7, count: Self.size)].async)
                }
            }
            #expect(error?.code == .resourceConflict, "got \(String(describing: error))")
        }
    }
}
