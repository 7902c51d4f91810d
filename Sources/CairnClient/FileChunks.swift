import Foundation
import NIOCore

/// A local file as a sequence of 1 MiB buffers, read as the upload asks for them (memory stays
/// flat whatever the file size), each counted in every ``TransferProgress`` given.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let progress: [TransferProgress]
    static let chunkSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let progress: [TransferProgress]

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: FileChunks.chunkSize), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            for counter in progress { counter.add(Int64(data.count)) }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        // Opened by the caller's size check first, so a failure here is a race with a deletion:
        // the iterator then ends at once and the size check on the server's side catches it.
        AsyncIterator(handle: FileHandle(forReadingAtPath: path) ?? FileHandle.nullDevice, progress: progress)
    }
}
