import AsyncHTTPClient
import CairnCore
import Logging
import NIOCore
import NIOHTTP1

extension S3ArtifactStore {
    public func put<Body: AsyncSequence & Sendable>(_ path: ArtifactPath, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: an upload needs a file name") }
        let key = key(path)
        let partSize = configuration.partSize
        var iterator = body.makeAsyncIterator()
        var first = ByteBuffer()
        var pending: ByteBuffer? = nil
        // Fill the first part; a body that ends before it is full is one PUT.
        while first.readableBytes < partSize, var chunk = try await iterator.next() {
            let room = partSize - first.readableBytes
            if chunk.readableBytes > room {
                first.writeImmutableBuffer(chunk.readSlice(length: room)!)
                pending = chunk
                break
            }
            first.writeBuffer(&chunk)
        }
        if pending == nil, first.readableBytes < partSize {
            let size = Int64(first.readableBytes)
            _ = try await send(.PUT, key: key, body: first, deadline: streamingDeadline)
            return size
        }
        return try await multipartPut(key: key, first: first, pending: pending, rest: &iterator)
    }

    /// Uploads `first`, then the rest of the body, as parts of one multipart upload; aborts the
    /// upload (so no object appears) on any error or cancellation.
    private func multipartPut<Iterator: AsyncIteratorProtocol>(
        key: String, first: ByteBuffer, pending: ByteBuffer?, rest iterator: inout Iterator
    ) async throws -> Int64 where Iterator.Element == ByteBuffer {
        let uploadID = try await createMultipartUpload(key: key)
        do {
            let total = try await uploadParts(key: key, uploadID: uploadID, first: first, pending: pending, rest: &iterator)
            try await completeMultipartUpload(key: key, uploadID: uploadID, parts: total.parts)
            return total.bytes
        } catch {
            await abortQuietly(key: key, uploadID: uploadID)
            throw error
        }
    }

    private func uploadParts<Iterator: AsyncIteratorProtocol>(
        key: String, uploadID: String, first: ByteBuffer, pending: ByteBuffer?, rest iterator: inout Iterator
    ) async throws -> (bytes: Int64, parts: [S3CompletedPart]) where Iterator.Element == ByteBuffer {
        let partSize = configuration.partSize
        let concurrency = max(1, configuration.partUploadConcurrency)
        return try await withThrowingTaskGroup(of: S3CompletedPart.self) { group in
            var parts: [S3CompletedPart] = []
            var inFlight = 0
            var total: Int64 = 0
            var number = 0
            var buffer: ByteBuffer? = first
            var carry = pending
            while let part = buffer {
                number += 1
                total += Int64(part.readableBytes)
                if inFlight == concurrency, let done = try await group.next() {
                    parts.append(done)
                    inFlight -= 1
                }
                let partNumber = number
                group.addTask { try await self.uploadPart(key: key, uploadID: uploadID, number: partNumber, body: part) }
                inFlight += 1
                // Fill the next part while earlier ones upload.
                var next = ByteBuffer()
                next.reserveCapacity(partSize)
                if var leftover = carry {
                    next.writeBuffer(&leftover)
                    carry = nil
                }
                while next.readableBytes < partSize, var chunk = try await iterator.next() {
                    let room = partSize - next.readableBytes
                    if chunk.readableBytes > room {
                        next.writeImmutableBuffer(chunk.readSlice(length: room)!)
                        carry = chunk
                        break
                    }
                    next.writeBuffer(&chunk)
                }
                buffer = next.readableBytes > 0 ? next : nil
            }
            while let done = try await group.next() { parts.append(done) }
            return (total, parts.sorted { $0.number < $1.number })
        }
    }

    /// Starts a multipart upload of `key`.
    /// - Returns: the upload ID.
    public func createMultipartUpload(key: String) async throws -> String {
        let response = try await send(.POST, key: key, query: [(name: "uploads", value: "")])
        let xml = try await collectXML(response)
        guard let uploadID = S3XML.firstValue(of: "UploadId", in: xml), !uploadID.isEmpty else {
            throw CairnError(.badGateway, "S3 did not return an UploadId for s3://\(configuration.bucket)/\(key)")
        }
        return uploadID
    }

    func uploadPart(key: String, uploadID: String, number: Int, body: ByteBuffer) async throws -> S3CompletedPart {
        let response = try await send(
            .PUT, key: key, query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)], body: body,
            deadline: streamingDeadline)
        guard let etag = response.headers.first(name: "ETag") else {
            throw CairnError(.badGateway, "S3 returned no ETag for part \(number) of s3://\(configuration.bucket)/\(key)")
        }
        return S3CompletedPart(number: number, etag: etag)
    }

    /// Completes a multipart upload; the object appears only now.
    /// - Throws: ``CairnError`` 502 when S3 refuses (it may answer 200 with an `<Error>` body).
    public func completeMultipartUpload(key: String, uploadID: String, parts: [S3CompletedPart]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            .POST, key: key, query: [(name: "uploadId", value: uploadID)], headers: [(name: "Content-Type", value: "application/xml")],
            body: ByteBuffer(string: xml), deadline: .now() + .minutes(10))
        let answer = try await collectXML(response)
        if answer.contains("<Error>") {
            throw S3Failure.answered(status: 502, body: answer, bucket: configuration.bucket, key: key, logger: logger)
        }
    }

    /// Aborts a multipart upload and frees its parts.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        _ = try await send(.DELETE, key: key, query: [(name: "uploadId", value: uploadID)], allowedStatuses: [404])
    }

    /// Aborts even when the uploading task was cancelled (a client that went away).
    func abortQuietly(key: String, uploadID: String) async {
        let store = self
        await Task.detached {
            do {
                try await store.abortMultipartUpload(key: key, uploadID: uploadID)
            } catch {
                store.logger.warning(
                    "could not abort S3 multipart upload", metadata: ["key": "\(key)", "upload_id": "\(uploadID)", "error": "\(error)"])
            }
        }.value
    }
}

/// One uploaded part of a multipart upload: its number (1-based) and the ETag S3 returned.
public struct S3CompletedPart: Sendable, Hashable {
    public var number: Int
    public var etag: String

    public init(number: Int, etag: String) {
        self.number = number
        self.etag = etag
    }
}
