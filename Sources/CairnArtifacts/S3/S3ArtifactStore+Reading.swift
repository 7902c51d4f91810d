import AsyncHTTPClient
import CairnCore
import NIOCore
import NIOHTTP1

extension S3ArtifactStore {
    public func info(_ path: ArtifactPath) async throws -> ArtifactFileInfo? {
        if path.isRoot { return ArtifactFileInfo(path: "", isDirectory: true, size: nil) }
        let response = try await send(.HEAD, key: key(path), allowedStatuses: [404])
        let size = response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        // Servers with real directories (SeaweedFS) may answer HEAD on a directory with an empty 200.
        if response.status == .ok, size > 0 { return ArtifactFileInfo(path: path.value, isDirectory: false, size: size) }
        let page = try await listPage(prefix: key(path) + "/", delimiter: "/", maxKeys: 1, continuation: nil)
        if !page.keys.isEmpty || !page.commonPrefixes.isEmpty { return ArtifactFileInfo(path: path.value, isDirectory: true, size: nil) }
        return response.status == .ok ? ArtifactFileInfo(path: path.value, isDirectory: false, size: 0) : nil
    }

    /// Streams the object (or `range` of it) to `consume`, in order.
    ///
    /// More than ``S3Configuration/partSize`` bytes are fetched as parts, up to
    /// ``S3Configuration/downloadConcurrency`` ranged GETs at once (see
    /// `readInParts(_:range:into:)`); a shorter explicit range, or a concurrency of 1, is one GET.
    /// - Throws: ``CairnError`` 404 for a missing object, 503 when S3 is unreachable, 502 when it
    ///   refuses, 409 when the object is replaced during the download; whatever `consume` throws.
    public func read(_ path: ArtifactPath, range: Range<Int64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        if let range, range.isEmpty { return }
        let fitsOnePart = range.map { $0.upperBound - $0.lowerBound <= Int64(max(1, configuration.partSize)) } ?? false
        if configuration.downloadConcurrency <= 1 || fitsOnePart {
            try await readWithOneGET(key(path), range: range, into: consume)
        } else {
            try await readInParts(key(path), range: range, into: consume)
        }
    }

    public func list(_ path: ArtifactPath) async throws -> [ArtifactFileInfo] {
        let directoryKey = key(path)
        let prefix = directoryKey.isEmpty ? "" : directoryKey + "/"
        var entries: [ArtifactFileInfo] = []
        var continuation: String?
        repeat {
            let page = try await listPage(prefix: prefix, delimiter: "/", maxKeys: configuration.listPageSize, continuation: continuation)
            for object in page.keys where object.key != prefix && !object.key.hasSuffix("/") {
                guard let relative = relativePath(ofKey: object.key) else { continue }
                entries.append(ArtifactFileInfo(path: relative, isDirectory: false, size: object.size))
            }
            for common in page.commonPrefixes {
                guard let relative = relativePath(ofKey: String(common.dropLast())) else { continue }
                entries.append(ArtifactFileInfo(path: relative, isDirectory: true, size: nil))
            }
            continuation = page.nextContinuationToken
        } while continuation != nil
        return entries.sorted { $0.path < $1.path }
    }

    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: refusing to delete the artifact root") }
        let objectKey = key(path)
        var directories: Set<String> = [objectKey + "/"]
        var continuation: String?
        repeat {
            let page = try await listPage(prefix: objectKey + "/", delimiter: nil, maxKeys: 1000, continuation: continuation)
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                for object in page.keys {
                    var parent = object.key
                    while let slash = parent.lastIndex(of: "/"), parent.count > objectKey.count + 1 {
                        parent = String(parent[..<slash])
                        if parent.count > objectKey.count { directories.insert(parent + "/") }
                    }
                    if inFlight == 8 {
                        try await group.next()
                        inFlight -= 1
                    }
                    group.addTask { _ = try await self.send(.DELETE, key: object.key, allowedStatuses: [404]) }
                    inFlight += 1
                }
                try await group.waitForAll()
            }
            continuation = page.nextContinuationToken
        } while continuation != nil
        _ = try await send(.DELETE, key: objectKey, allowedStatuses: [404])
        // Servers with real directories (SeaweedFS) keep emptied directories listed until each
        // `dir/` is deleted, deepest first; on AWS these are no-ops.
        for directory in directories.sorted(by: { $0.count > $1.count }) {
            _ = try await send(.DELETE, key: directory, allowedStatuses: [404, 409])
        }
    }

    /// Every object key in the bucket that starts with `keyPrefix` (not limited to the store's
    /// prefix): for tests.
    @_spi(Testing) public func allKeys(under keyPrefix: String) async throws -> [String] {
        var keys: [String] = []
        var continuation: String?
        repeat {
            let page = try await listPage(prefix: keyPrefix, delimiter: nil, maxKeys: configuration.listPageSize, continuation: continuation)
            keys += page.keys.map(\.key)
            continuation = page.nextContinuationToken
        } while continuation != nil
        return keys
    }

    /// One page of ListObjectsV2.
    func listPage(prefix: String, delimiter: String?, maxKeys: Int, continuation: String?) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [
            (name: "list-type", value: "2"), (name: "prefix", value: prefix), (name: "max-keys", value: String(maxKeys)),
        ]
        if let delimiter { query.append((name: "delimiter", value: delimiter)) }
        if let continuation { query.append((name: "continuation-token", value: continuation)) }
        let response = try await send(.GET, key: nil, query: query)
        return S3ListPage(xml: try await collectXML(response))
    }
}

/// A parsed ListObjectsV2 answer.
struct S3ListPage {
    var keys: [(key: String, size: Int64)] = []
    var commonPrefixes: [String] = []
    var nextContinuationToken: String?

    init(xml: String) {
        let text = Substring(xml)
        for contents in S3XML.elements(named: "Contents", in: text) {
            guard let key = S3XML.values(of: "Key", in: contents).first else { continue }
            let size = S3XML.values(of: "Size", in: contents).first.flatMap { Int64($0) } ?? 0
            keys.append((key, size))
        }
        for common in S3XML.elements(named: "CommonPrefixes", in: text) {
            if let prefix = S3XML.values(of: "Prefix", in: common).first { commonPrefixes.append(prefix) }
        }
        let truncated = S3XML.values(of: "IsTruncated", in: text).first == "true"
        nextContinuationToken = truncated ? S3XML.values(of: "NextContinuationToken", in: text).first : nil
    }
}
