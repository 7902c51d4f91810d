import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte range of a local file (the whole file by default) as a sequence of 256 KiB buffers,
/// read with `pread` as the upload asks for them, each counted in every ``TransferProgress`` given.
///
/// Memory stays flat whatever the size only if reading waits for writing. AsyncHTTPClient asks
/// for the next buffer as soon as it has handed the last one to the channel's event loop, and
/// learns that the socket is full only when that loop has run the write: on a busy machine a
/// file read at page-cache speed ran tens of MiB ahead of eight part uploads (peak RSS 98 MB for
/// a 256 MiB file). So before each read after the first, the iterator waits for a no-op on every
/// loop in `eventLoops`: by then the previous write has been run and, if the socket was full,
/// the request has paused, and AsyncHTTPClient does not ask again until it drains.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let offset: Int64
    /// The bytes to read from `offset`; nil: to the end of the file.
    let length: Int64?
    let progress: [TransferProgress]
    let eventLoops: [any EventLoop]
    static let chunkSize = 256 << 10

    init(path: String, offset: Int64 = 0, length: Int64? = nil, progress: [TransferProgress], eventLoops: [any EventLoop]) {
        self.path = path
        self.offset = offset
        self.length = length
        self.progress = progress
        self.eventLoops = eventLoops
    }

    final class AsyncIterator: AsyncIteratorProtocol {
        private var descriptor: Int32
        private var position: Int64
        private var remaining: Int64
        private let progress: [TransferProgress]
        private let eventLoops: [any EventLoop]
        private var started = false

        init(descriptor: Int32, offset: Int64, length: Int64, progress: [TransferProgress], eventLoops: [any EventLoop]) {
            self.descriptor = descriptor
            self.position = offset
            self.remaining = length
            self.progress = progress
            self.eventLoops = eventLoops
        }

        deinit { closeFile() }

        func next() async throws -> ByteBuffer? {
            guard descriptor >= 0, remaining > 0 else {
                closeFile()
                return nil
            }
            if started {
                for loop in eventLoops { try await loop.submit {}.get() }
            }
            started = true
            let wanted = Int(Swift.min(Int64(FileChunks.chunkSize), remaining))
            var buffer = ByteBufferAllocator().buffer(capacity: wanted)
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { bytes in
                let read = pread(descriptor, bytes.baseAddress, wanted, off_t(position))
                guard read >= 0 else { throw ClientError(.failed, "Cannot read the file: \(String(cString: strerror(errno)))") }
                return read
            }
            guard count > 0 else {
                // The file shrank under the upload: end here; the length sent makes the request fail.
                closeFile()
                return nil
            }
            position += Int64(count)
            remaining -= Int64(count)
            for counter in progress { counter.add(Int64(count)) }
            return buffer
        }

        private func closeFile() {
            if descriptor >= 0 { _ = close(descriptor) }
            descriptor = -1
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        // Opened by the caller's size check first, so a failure here is a race with a deletion:
        // the iterator then ends at once and the length sent makes the request fail.
        AsyncIterator(
            descriptor: open(path, O_RDONLY | O_CLOEXEC), offset: offset, length: length ?? Int64.max, progress: progress, eventLoops: eventLoops)
    }
}
