import CairnCore
import NIOHTTP1

extension S3ArtifactStore: PresigningArtifactStore {
    /// The most parts S3 accepts in one upload.
    static let maximumPartCount = 10_000

    public var presignedURLsEnabled: Bool { configuration.presignedURLs }

    /// A presigned URL for `method` on `key` at the public endpoint (or the endpoint).
    /// - Parameters:
    ///   - query: extra signed query parameters (e.g. `partNumber`, `uploadId`).
    public func presignedURL(_ method: HTTPMethod, key: String, query: [(name: String, value: String)] = [], date: SigV4Timestamp = .now()) -> String
    {
        let endpoint = configuration.publicEndpoint ?? configuration.effectiveEndpoint
        let (host, path) = location(key: key, endpoint: endpoint)
        let request = SigV4Signer.Request(method: method.rawValue, path: path, query: query, headers: [(name: "host", value: host)])
        let queryString = signer.presignedQuery(for: request, expires: configuration.presignedURLExpiry, date: date)
        return "\(endpoint.scheme)://\(host)\(path)?\(queryString)"
    }

    public func createPresignedUpload(_ path: ArtifactPath, partCount: Int) async throws -> PresignedUpload {
        try requirePresigning()
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: an upload needs a file name") }
        guard (1...Self.maximumPartCount).contains(partCount) else {
            throw CairnError.invalidParameter("num_parts must be between 1 and \(Self.maximumPartCount), got \(partCount)")
        }
        let objectKey = key(path)
        let uploadID = try await createMultipartUpload(key: objectKey)
        let date = SigV4Timestamp.now()
        let parts: [(number: Int, url: String)] = (1...partCount).map { number in
            (
                number: number,
                url: presignedURL(
                    .PUT, key: objectKey, query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)], date: date)
            )
        }
        return PresignedUpload(uploadID: uploadID, parts: parts)
    }

    public func completePresignedUpload(_ path: ArtifactPath, uploadID: String, parts: [S3CompletedPart]) async throws {
        try requirePresigning()
        guard !parts.isEmpty else { throw CairnError.invalidParameter("parts must not be empty") }
        try await completeMultipartUpload(key: key(path), uploadID: uploadID, parts: parts)
    }

    public func abortPresignedUpload(_ path: ArtifactPath, uploadID: String) async throws {
        try requirePresigning()
        try await abortMultipartUpload(key: key(path), uploadID: uploadID)
    }

    public func presignedDownload(_ path: ArtifactPath) async throws -> (url: String, size: Int64) {
        try requirePresigning()
        guard let info = try await info(path), !info.isDirectory else { throw CairnError.notFound("File \(path) not found") }
        return (presignedURL(.GET, key: key(path)), info.size ?? 0)
    }

    private func requirePresigning() throws(CairnError) {
        guard configuration.presignedURLs else {
            throw CairnError(
                .notImplemented, "Presigned URLs are turned off on this server (CAIRN_S3_PRESIGN=false); upload through the artifact proxy")
        }
    }
}
