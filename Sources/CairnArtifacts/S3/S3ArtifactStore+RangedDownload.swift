import AsyncHTTPClient
import CairnCore
import NIOCore
import NIOHTTP1

extension S3ArtifactStore {
    /// Streams `key` (or `range` of it) with a single GET.
    func readWithOneGET(_ key: String, range: Range<Int64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append((name: "Range", value: S3PartPlan.rangeHeader(range))) }
        let response = try await send(.GET, key: key, headers: headers, deadline: streamingDeadline)
        try await deliver(response.body, key: key, into: consume)
    }

    /// Downloads `range` of `key` (nil: the whole object) in parts of ``S3Configuration/partSize``
    /// bytes with up to ``S3Configuration/downloadConcurrency`` ranged GETs at once, and hands the
    /// bytes to `consume` strictly in order.
    ///
    /// The first part is streamed through as it arrives; its `Content-Range` gives the object's
    /// size and its `ETag` pins the later parts to the same object (`If-Match`: a replaced object
    /// is a 409, not a mix of two versions). Later parts are fetched whole into one buffer each,
    /// and part `k + concurrency` is requested only once part `k` has been consumed, so at most
    /// `concurrency * partSize` bytes are held. When `consume` or a GET throws, or the task is
    /// cancelled, the task group cancels the outstanding GETs.
    func readInParts(_ key: String, range: Range<Int64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        let partSize = Int64(max(1, configuration.partSize))
        let start = range?.lowerBound ?? 0
        let firstEnd = range.map { min($0.upperBound, start + partSize) } ?? start + partSize
        // An empty object has no byte 0 (416): then read it as a plain GET would.
        let first = try await send(
            .GET, key: key, headers: [(name: "Range", value: S3PartPlan.rangeHeader(start..<firstEnd))],
            deadline: streamingDeadline, allowedStatuses: range == nil ? [416] : [])
        if first.status == .rangeNotSatisfiable {
            _ = try? await first.body.collect(upTo: 64 * 1024)
            return try await readWithOneGET(key, range: nil, into: consume)
        }
        guard first.status == .partialContent,
            let sent = first.headers.first(name: "Content-Range").flatMap(S3PartPlan.parseContentRange),
            sent.range.lowerBound == start
        else {
            // The server ignored the Range header: the whole object follows.
            let length = range.map { $0.upperBound - $0.lowerBound }
            try await deliver(first.body, key: key, skipping: start, limit: length, into: consume)
            return
        }
        let plan = S3PartPlan(bytes: start..<min(range?.upperBound ?? sent.total, sent.total), partSize: partSize)
        guard plan.count > 1 else {
            try await deliverExactly(plan.part(0), of: first.body, key: key, into: consume)
            return
        }
        let etag = first.headers.first(name: "ETag")
        let window = min(max(1, configuration.downloadConcurrency), plan.count)
        try await withThrowingTaskGroup(of: (index: Int, bytes: ByteBuffer).self) { group in
            var launched = 1
            func launchNext(_ group: inout ThrowingTaskGroup<(index: Int, bytes: ByteBuffer), any Error>) {
                guard launched < plan.count else { return }
                let index = launched
                let part = plan.part(index)
                group.addTask { (index, try await self.fetchPart(part, of: key, ifMatch: etag)) }
                launched += 1
            }
            do {
                while launched < window { launchNext(&group) }
                try await deliverExactly(plan.part(0), of: first.body, key: key, into: consume)
                launchNext(&group)
                var ready: [Int: ByteBuffer] = [:]
                var next = 1
                while next < plan.count {
                    if let bytes = ready.removeValue(forKey: next) {
                        try await consume(bytes)
                        next += 1
                        launchNext(&group)
                    } else if let done = try await group.next() {
                        ready[done.index] = done.bytes
                    }
                }
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Downloads `part` of `key` whole, into one buffer of exactly its length.
    /// - Parameter etag: the first part's ETag; S3 answers 412 when the object has changed since.
    func fetchPart(_ part: Range<Int64>, of key: String, ifMatch etag: String?) async throws -> ByteBuffer {
        var headers = [(name: "Range", value: S3PartPlan.rangeHeader(part))]
        if let etag { headers.append((name: "If-Match", value: etag)) }
        let response = try await send(.GET, key: key, headers: headers, deadline: streamingDeadline)
        let sent = response.headers.first(name: "Content-Range").flatMap(S3PartPlan.parseContentRange)
        guard response.status == .partialContent, sent?.range == part else {
            throw CairnError(
                .badGateway,
                "S3 answered bytes \(part.lowerBound)-\(part.upperBound - 1) of s3://\(configuration.bucket)/\(key) with HTTP \(response.status.code) "
                    + "and Content-Range '\(response.headers.first(name: "Content-Range") ?? "")'")
        }
        var buffer = ByteBufferAllocator().buffer(capacity: Int(part.upperBound - part.lowerBound))
        try await deliverExactly(part, of: response.body, key: key) { chunk in
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }

    /// Passes `body`, which must hold exactly the bytes of `part`, to `consume`.
    /// - Throws: ``CairnError`` 502 when S3 sends fewer bytes.
    private func deliverExactly(
        _ part: Range<Int64>, of body: HTTPClientResponse.Body, key: String, into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        let length = part.upperBound - part.lowerBound
        let delivered = try await deliver(body, key: key, limit: length, into: consume)
        guard delivered == length else {
            throw CairnError(
                .badGateway,
                "S3 sent \(delivered) of the \(length) bytes \(part.lowerBound)-\(part.upperBound - 1) of s3://\(configuration.bucket)/\(key)")
        }
    }

    /// Passes a response body to `consume`, dropping its first `skip` bytes and any bytes past
    /// `limit` (nil: no limit).
    /// - Returns: the bytes passed on.
    /// - Throws: ``CairnError`` 503 when the transfer fails; whatever `consume` throws.
    @discardableResult
    func deliver(
        _ body: HTTPClientResponse.Body, key: String, skipping skip: Int64 = 0, limit: Int64? = nil,
        into consume: (ByteBuffer) async throws -> Void
    ) async throws -> Int64 {
        var toSkip = skip
        var delivered: Int64 = 0
        do {
            for try await var chunk in body {
                if toSkip > 0 {
                    let dropped = Int(min(toSkip, Int64(chunk.readableBytes)))
                    chunk.moveReaderIndex(forwardBy: dropped)
                    toSkip -= Int64(dropped)
                }
                if let limit, Int64(chunk.readableBytes) > limit - delivered {
                    chunk = chunk.getSlice(at: chunk.readerIndex, length: Int(limit - delivered))!
                }
                // Bytes past the limit are read and dropped: leaving the body early would close
                // a connection the pool could otherwise reuse.
                if chunk.readableBytes > 0 {
                    delivered += Int64(chunk.readableBytes)
                    try await consume(chunk)
                }
            }
        } catch let error as CairnError {
            throw error
        } catch let error as HTTPClientError {
            throw S3Failure.unreachable(error, endpoint: configuration.effectiveEndpoint, operation: "GET \(key)", logger: logger)
        }
        return delivered
    }
}
