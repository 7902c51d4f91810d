import CairnCore

/// An artifact store whose clients can move bytes straight to and from the backing object store
/// with presigned URLs (MLflow's `mpu/*` and `presigned/*` endpoints).
public protocol PresigningArtifactStore: ArtifactStore {
    /// Whether presigned URLs are handed out at all (`CAIRN_S3_PRESIGN`).
    var presignedURLsEnabled: Bool { get }

    /// Starts a multipart upload of `path` with `partCount` parts.
    /// - Returns: the upload ID and one presigned `PUT` URL per part (part numbers 1...partCount).
    func createPresignedUpload(_ path: ArtifactPath, partCount: Int) async throws -> PresignedUpload

    /// Completes the upload with the parts' ETags; the object appears only now.
    func completePresignedUpload(_ path: ArtifactPath, uploadID: String, parts: [S3CompletedPart]) async throws

    /// Aborts the upload and frees its parts.
    func abortPresignedUpload(_ path: ArtifactPath, uploadID: String) async throws

    /// A presigned `GET` URL of the file at `path` and its size.
    /// - Throws: ``CairnError`` 404 when there is no such file.
    func presignedDownload(_ path: ArtifactPath) async throws -> (url: String, size: Int64)
}

/// The answer to ``PresigningArtifactStore/createPresignedUpload(_:partCount:)``.
public struct PresignedUpload: Sendable {
    public var uploadID: String
    /// Part number (1-based) and presigned `PUT` URL.
    public var parts: [(number: Int, url: String)]

    public init(uploadID: String, parts: [(number: Int, url: String)]) {
        self.uploadID = uploadID
        self.parts = parts
    }
}
