import AsyncHTTPClient
import CairnCore
import Foundation
import NIOCore
import NIOHTTP1

extension CairnClient {
    static let multipartRoute = "/api/2.0/mlflow-artifacts/mpu"

    /// One part of a multipart upload: its number, presigned `PUT` URL and the headers to send.
    struct PresignedPart: Sendable {
        var number: Int
        var url: String
        var headers: [(String, String)]
    }

    /// Uploads a file in parts straight to the artifact store: `mpu/create` on the server
    /// (presigned part URLs), the parts `PUT` to the store `partsInFlight` at a time, each
    /// streamed from disk and retried on its own, then `mpu/complete`; any failure aborts the
    /// upload (its parts are freed) before it is thrown. Ends with a size check against the
    /// server's listing.
    /// - Returns: false, having sent nothing, when the server does not offer multipart uploads.
    /// - Throws: ``ClientError``.
    func uploadDirect(root: String, path: String, from source: String, size: Int64, progress: TransferProgress?) async throws(ClientError)
        -> Bool
    {
        let (directory, name) = Self.split(path)
        let (chunk, count) = configuration.directTransfer.uploadParts(size: size)
        let created: JSONValue
        do {
            created = try await call(
                .POST, multipartPath("create", root: root, directory: directory), body: ["path": .string(name), "num_parts": .int(Int64(count))])
        } catch  where error.status == 501 {
            directRoutes.markNotOffered()
            return false
        }
        guard let uploadID = created["upload_id"]?.stringValue, let credentials = created["credentials"]?.arrayValue else {
            throw ClientError(.failed, "The server's answer to mpu/create has no upload_id or credentials")
        }
        let parts = credentials.compactMap { credential -> PresignedPart? in
            guard let url = credential["url"]?.stringValue, let number = credential["part_number"]?.intValue else { return nil }
            let headers = (credential["headers"]?.objectValue ?? []).compactMap { member in member.value.stringValue.map { (member.key, $0) } }
            return PresignedPart(number: Int(number), url: url, headers: headers)
        }
        do throws(ClientError) {
            guard parts.count == count, Set(parts.map(\.number)) == Set(1...count) else {
                throw ClientError(.failed, "The server presigned \(parts.count) part URLs for an upload of \(count) parts")
            }
            let etags = try await Self.inParallel(parts, limit: configuration.directTransfer.partsInFlight) { part throws(ClientError) in
                let offset = Int64(part.number - 1) * chunk
                let etag = try await putPart(part, source: source, offset: offset, length: min(chunk, size - offset), progress: progress)
                return (part.number, etag)
            }
            let completed = etags.sorted { $0.0 < $1.0 }.map { part -> JSONValue in ["part_number": .int(Int64(part.0)), "etag": .string(part.1)] }
            _ = try await call(
                .POST, multipartPath("complete", root: root, directory: directory),
                body: ["path": .string(name), "upload_id": .string(uploadID), "parts": .array(completed)])
        } catch {
            await abortUpload(root: root, directory: directory, name: name, uploadID: uploadID)
            throw error
        }
        try await checkUploadedSize(root: root, path: path, size: size)
        return true
    }

    /// `PUT`s one part to its presigned URL, streamed from the file's byte range; returns its ETag.
    private func putPart(_ part: PresignedPart, source: String, offset: Int64, length: Int64, progress: TransferProgress?)
        async throws(ClientError) -> String
    {
        try await retrying { () async throws(ClientError) -> String in
            // This attempt's bytes, taken back from the shared progress if it fails.
            let attempt = TransferProgress(total: length, files: 1)
            var request = HTTPClientRequest(url: part.url)
            request.method = .PUT
            for (name, value) in part.headers { request.headers.add(name: name, value: value) }
            request.body = .stream(
                FileChunks(path: source, offset: offset, length: length, progress: [attempt] + (progress.map { [$0] } ?? []), eventLoops: eventLoops),
                length: .known(length))
            do {
                let response = try await httpClient.execute(request, timeout: .hours(24))
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                guard (200..<300).contains(status) else { throw Self.storeError(status: status, text: String(buffer: body), url: part.url) }
                guard let etag = response.headers.first(name: "ETag"), !etag.isEmpty else {
                    throw ClientError(.failed, "The artifact store accepted part \(part.number) without an ETag")
                }
                return etag
            } catch {
                progress?.add(-attempt.snapshot.done)
                throw Self.storeTransportError(error, url: part.url)
            }
        }
    }

    /// Best effort: a failed upload's parts are freed; a failure to abort is not the error shown.
    /// Runs detached so an interrupted command still sends it.
    private func abortUpload(root: String, directory: String, name: String, uploadID: String) async {
        let path = multipartPath("abort", root: root, directory: directory)
        let body: JSONValue = ["path": .string(name), "upload_id": .string(uploadID)]
        var brief = configuration
        brief.retry.budget = .seconds(10)
        guard let client = try? CairnClient(brief, httpClient: httpClient) else { return }
        await Task.detached {
            _ = try? await client.call(.POST, path, body: body)
        }.value
    }

    /// The server lists the uploaded file with the local file's size.
    private func checkUploadedSize(root: String, path: String, size: Int64) async throws(ClientError) {
        let parent = Self.split(path).directory
        let listed = try await listArtifacts(root: root, path: parent).first { $0.path == path }?.size
        guard listed == size else {
            throw ClientError(.failed, "\(path): uploaded \(size) bytes, the server lists \(listed.map(String.init) ?? "no file")")
        }
    }

    /// `/api/2.0/mlflow-artifacts/mpu/<action>/<root>/<directory>`, each segment encoded.
    private func multipartPath(_ action: String, root: String, directory: String) -> String {
        Self.multipartRoute + "/" + action + "/" + Self.encodedSegments(directory.isEmpty ? root : "\(root)/\(directory)")
    }

    /// The directory part and the file name of an artifact path.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// A path's segments percent-encoded, joined by `/`.
    static func encodedSegments(_ path: String) -> String {
        path.split(separator: "/").map { PercentEncoding.encodeComponent(String($0)) }.joined(separator: "/")
    }

    /// Runs `work` on every item, at most `limit` at once; the first failure cancels the rest.
    static func inParallel<Item: Sendable, Result: Sendable>(
        _ items: [Item], limit: Int, _ work: @escaping @Sendable (Item) async throws(ClientError) -> Result
    ) async throws(ClientError) -> [Result] {
        do {
            return try await withThrowingTaskGroup(of: Result.self) { group in
                var results: [Result] = []
                var next = items.makeIterator()
                for _ in 0..<max(1, limit) {
                    guard let item = next.next() else { break }
                    group.addTask { try await work(item) }
                }
                while let result = try await group.next() {
                    results.append(result)
                    if let item = next.next() { group.addTask { try await work(item) } }
                }
                return results
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.interrupted, "Interrupted")
        }
    }

    /// The error an artifact store's non-2xx answer means: S3's `<Code>` and `<Message>` when it
    /// sent them. 500 and 503 (S3's `InternalError`, `SlowDown`) are retried like 502 and 504.
    static func storeError(status: Int, text: String, url: String) -> ClientError {
        func element(_ name: String) -> String? {
            guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
            else { return nil }
            return String(text[start.upperBound..<end.lowerBound])
        }
        let host = URL(string: url)?.host ?? "the artifact store"
        var error = ClientError.forStatus(
            status, errorCode: element("Code"), message: "\(host) answered HTTP \(status)" + (element("Message").map { ": \($0)" } ?? ""))
        if status == 500 || status == 503 { error.kind = .unavailable }
        return error
    }

    /// A failure before the artifact store answered.
    static func storeTransportError(_ error: any Error, url: String) -> ClientError {
        if let error = error as? ClientError { return error }
        if error is CancellationError || (error as? HTTPClientError) == .cancelled { return ClientError(.interrupted, "Interrupted") }
        let host = URL(string: url).map { "\($0.host ?? ""):\($0.port.map(String.init) ?? "")" } ?? url
        return ClientError(
            .unavailable,
            "Cannot reach the artifact store at \(host) for a direct transfer: \(error) (pass --via-proxy to send the bytes through the server)")
    }
}
