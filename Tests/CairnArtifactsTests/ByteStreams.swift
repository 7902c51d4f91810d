import NIOCore

/// Deterministic test bytes, streamed in chunks without holding the whole body.
struct PatternStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let size: Int
    let chunkSize: Int
    /// When set, the stream throws after this many bytes (a client that went away).
    var failAfter: Int? = nil
    /// Called before each chunk with the bytes sent so far.
    var onProgress: (@Sendable (Int) async -> Void)? = nil

    static func byte(at offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: (offset &* 31) ^ (offset >> 11)) }

    struct StreamFailure: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        let stream: PatternStream
        var offset = 0
        mutating func next() async throws -> ByteBuffer? {
            if let failAfter = stream.failAfter, offset >= failAfter { throw StreamFailure() }
            guard offset < stream.size else { return nil }
            await stream.onProgress?(offset)
            let length = Swift.min(stream.chunkSize, stream.size - offset)
            var buffer = ByteBuffer()
            buffer.reserveCapacity(length)
            let start = offset
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
                for index in 0..<length { raw[index] = PatternStream.byte(at: start + index) }
                return length
            }
            offset += length
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

/// Collects every chunk `read` delivers.
func readAll(_ read: ((ByteBuffer) async throws -> Void) async throws -> Void) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    try await read { chunk in bytes.append(contentsOf: chunk.readableBytesView) }
    return bytes
}
