import AsyncHTTPClient
import CairnCore
import Foundation
import NIOCore
import NIOHTTP1

extension CairnClient {
    static let artifactProxy = "/api/2.0/mlflow-artifacts/artifacts"

    /// One file (or directory) of a run's artifacts.
    public struct ArtifactEntry: Sendable, Hashable {
        /// The path below the run's artifact root, e.g. `model/MLmodel`.
        public var path: String
        public var isDirectory: Bool
        public var size: Int64?
    }

    /// Where a run's artifacts live on the server's artifact proxy (`1/<run id>/artifacts`).
    /// - Throws: ``ClientError/Kind/usage`` when the run's artifacts are not proxied by the server
    ///   (an `s3://` or local artifact location the client would have to reach itself).
    public func artifactRoot(runID: String) async throws(ClientError) -> String {
        let uri = try await run(id: runID)[path: "info", "artifact_uri"]?.stringValue ?? ""
        let scheme = "mlflow-artifacts:"
        guard uri.hasPrefix(scheme) else {
            throw ClientError(.usage, "Run \(runID) keeps its artifacts at \(uri), which the server does not proxy; use that store's own tools")
        }
        var root = String(uri.dropFirst(scheme.count))
        while root.hasPrefix("/") { root.removeFirst() }
        return root
    }

    /// The entries directly under `path` of a run's artifacts.
    public func listArtifacts(root: String, path: String) async throws(ClientError) -> [ArtifactEntry] {
        let directory = path.isEmpty ? root : "\(root)/\(path)"
        let answer = try await call(.GET, Self.artifactProxy, query: [("path", directory)])
        return (answer["files"]?.arrayValue ?? []).map { file in
            let name = file["path"]?.stringValue ?? ""
            return ArtifactEntry(
                path: path.isEmpty ? name : "\(path)/\(name)", isDirectory: file["is_dir"]?.boolValue ?? false,
                size: file["file_size"]?.intValue ?? file["file_size"]?.stringValue.flatMap { Int64($0) })
        }
    }

    /// Every file under `path`, directories walked recursively; `path` itself when it is a file.
    public func artifactFiles(root: String, path: String) async throws(ClientError) -> [ArtifactEntry] {
        var files: [ArtifactEntry] = []
        var pending = [path]
        while let directory = pending.popLast() {
            let entries = try await listArtifacts(root: root, path: directory)
            if entries.isEmpty && directory == path && !path.isEmpty {
                // Not a directory: a file, or nothing (the download then answers 404).
                let parent = (path as NSString).deletingLastPathComponent
                if let file = try await listArtifacts(root: root, path: parent).first(where: { $0.path == path && !$0.isDirectory }) {
                    files.append(file)
                }
                continue
            }
            for entry in entries {
                if entry.isDirectory { pending.append(entry.path) } else { files.append(entry) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The proxy URL of one artifact file.
    func artifactURL(root: String, path: String) -> String {
        let segments = (root + "/" + path).split(separator: "/").map { PercentEncoding.encodeComponent(String($0)) }
        return baseURL + Self.artifactProxy + "/" + segments.joined(separator: "/")
    }

    /// Downloads one artifact file to `destination`, through `destination.part`: a partial file
    /// left by an interrupted download is resumed (with `Range`), and the finished file must have
    /// `expectedSize` bytes (when known) before it takes its name. A file of at least
    /// ``DirectTransfer/downloadMinimumSize`` comes straight from the artifact store in parallel
    /// ranged pieces when the server presigns a URL for it, else through the artifact proxy.
    /// Transient failures are retried under the retry policy, each retry resuming where the last
    /// one stopped.
    /// - Returns: the route the bytes took.
    @discardableResult
    public func downloadArtifact(root: String, path: String, to destination: String, expectedSize: Int64?, progress: TransferProgress?)
        async throws(ClientError) -> TransferRoute
    {
        let partial = PartialFile(destination: destination)
        var resumed = partial.resumePoint()
        // Bytes a partial file already holds count as moved.
        progress?.add(resumed)
        var route = TransferRoute.proxy
        let direct = configuration.directTransfer
        if direct.mode == .automatic, directRoutes.isOffered, let expectedSize, expectedSize >= direct.downloadMinimumSize,
            let link = try await presignedDownload(root: root, path: path)
        {
            if resumed > link.size {
                // Longer than the file: not a prefix of it.
                partial.discard()
                progress?.add(-resumed)
                resumed = 0
            }
            try await downloadDirect(link, into: partial, resumed: resumed, progress: progress)
            route = .direct
        } else {
            try await retrying { () async throws(ClientError) in
                try await downloadOnce(url: artifactURL(root: root, path: path), partial: partial.path, progress: progress)
            }
        }
        let size = PartialFile.size(partial.path)
        if let expectedSize, size != expectedSize {
            throw ClientError(.failed, "\(path): downloaded \(size ?? 0) bytes, the server lists \(expectedSize); run the download again to resume")
        }
        if rename(partial.path, destination) != 0 {
            throw ClientError(.failed, "Cannot move \(partial.path) to \(destination): \(String(cString: strerror(errno)))")
        }
        partial.removeJournal()
        return route
    }

    private func downloadOnce(url: String, partial: String, progress: TransferProgress?) async throws(ClientError) {
        let existing = ((try? FileManager.default.attributesOfItem(atPath: partial)[.size]) as? Int64) ?? 0
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if existing > 0 { request.headers.add(name: "Range", value: "bytes=\(existing)-") }
        do {
            let response = try await httpClient.execute(request, timeout: .hours(24))
            let status = Int(response.status.code)
            if status == 416, existing > 0 {
                // The partial file is already whole (or longer than the file): start over.
                try? FileManager.default.removeItem(atPath: partial)
                progress?.add(-existing)
                throw ClientError(.unavailable, "restarting \(url)")
            }
            guard status == 200 || status == 206 else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw Self.error(status: status, body: Array(body.readableBytesView), path: url)
            }
            if !FileManager.default.fileExists(atPath: partial) {
                FileManager.default.createFile(atPath: partial, contents: nil)
            }
            guard let handle = FileHandle(forWritingAtPath: partial) else {
                throw ClientError(.failed, "Cannot write \(partial)")
            }
            defer { try? handle.close() }
            if status == 206 {
                try handle.seekToEnd()
            } else {
                // The whole file again (the server ignored the range): the partial bytes are moot.
                try handle.truncate(atOffset: 0)
                progress?.add(-existing)
            }
            for try await buffer in response.body {
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                progress?.add(Int64(buffer.readableBytes))
            }
        } catch {
            throw Self.transportError(error, method: .GET, path: url, baseURL: baseURL)
        }
    }

    /// Uploads one local file as artifact `path`, streamed from disk. A file of at least
    /// ``DirectTransfer/uploadMinimumSize`` goes in parts straight to the artifact store when the
    /// server offers multipart uploads; otherwise one `PUT` to the artifact proxy, retried as a
    /// whole (the `PUT` replaces what an interrupted attempt left) under the retry policy.
    /// - Returns: the route the bytes took.
    @discardableResult
    public func uploadArtifact(root: String, path: String, from source: String, progress: TransferProgress?) async throws(ClientError)
        -> TransferRoute
    {
        guard let size = PartialFile.size(source) else {
            throw ClientError(.usage, "Cannot read \(source)")
        }
        let direct = configuration.directTransfer
        if direct.mode == .automatic, directRoutes.isOffered, size >= direct.uploadMinimumSize,
            try await uploadDirect(root: root, path: path, from: source, size: size, progress: progress)
        {
            return .direct
        }
        try await retrying { () async throws(ClientError) in
            // This attempt's bytes, taken back from the shared progress if it fails.
            let attemptCounter = TransferProgress(total: size, files: 1)
            var request = HTTPClientRequest(url: artifactURL(root: root, path: path))
            request.method = .PUT
            request.headers.add(name: "User-Agent", value: Self.userAgent)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .stream(
                FileChunks(path: source, progress: [attemptCounter] + (progress.map { [$0] } ?? []), eventLoops: eventLoops), length: .known(size))
            do {
                let response = try await httpClient.execute(request, timeout: .hours(24))
                let body = try await response.body.collect(upTo: 1 << 20)
                guard (200..<300).contains(Int(response.status.code)) else {
                    throw Self.error(status: Int(response.status.code), body: Array(body.readableBytesView), path: path)
                }
            } catch {
                progress?.add(-attemptCounter.snapshot.done)
                throw Self.transportError(error, method: .PUT, path: path, baseURL: baseURL)
            }
        }
        return .proxy
    }
}
