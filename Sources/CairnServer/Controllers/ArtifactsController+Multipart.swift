import CairnArtifacts
import CairnCore
import Hummingbird

/// MLflow's direct-transfer endpoints: multipart uploads with presigned part URLs
/// (`mpu/create|complete|abort/<dir>`) and presigned downloads (`presigned/<path>`). They answer
/// 501 with MLflow's own message when the store cannot presign, so the client falls back to the proxy.
extension ArtifactsController {
    static let multipartPrefix = "/api/2.0/mlflow-artifacts/mpu"
    static let presignedPrefix = "/api/2.0/mlflow-artifacts/presigned"
    /// `_UnsupportedMultipartUploadException.MESSAGE`: the client matches this prefix.
    static let multipartUnsupportedMessage = "Multipart upload is not supported for the current artifact repository"

    func registerDirectTransfer(_ routes: RouteRegistrar) {
        routes.post("\(Self.multipartPrefix)/create/**", createMultipart)
        routes.post("\(Self.multipartPrefix)/complete/**", completeMultipart)
        routes.post("\(Self.multipartPrefix)/abort/**", abortMultipart)
        routes.get("\(Self.presignedPrefix)/**", presignedDownload)
    }

    /// The store, when it hands out presigned URLs.
    var presigning: (any PresigningArtifactStore)? {
        guard let store = artifacts as? any PresigningArtifactStore, store.presignedURLsEnabled else { return nil }
        return store
    }

    private func requirePresigning(download: Bool = false) throws(CairnError) -> any PresigningArtifactStore {
        guard let store = presigning else {
            let message =
                download
                ? "Multipart download is not supported for the current artifact repository: presigned URLs need an S3 store with presigning on"
                : Self.multipartUnsupportedMessage + ": presigned URLs need an S3 store with presigning on"
            throw CairnError(.notImplemented, message)
        }
        return store
    }

    /// The object path: the directory from the URL plus the base name of the client's local file.
    private func objectPath(_ request: Request, action: String, localPath: String) throws(CairnError) -> ArtifactPath {
        let directory = try Self.artifactPath(request, after: "\(Self.multipartPrefix)/\(action)")
        let name = String(localPath.split(separator: "/").last ?? "")
        let file = try ArtifactPath(validating: name)
        guard !file.isRoot, !file.value.contains("/") else { throw CairnError.invalidParameter("Invalid path: '\(localPath)' has no file name") }
        return directory.appending(file)
    }

    @Sendable func createMultipart(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let store = try requirePresigning()
        let body = try await request.decodeJSON(CreateMultipartBody.self, context: context)
        guard let localPath = body.path else { throw CairnError.invalidParameter("Missing value for required parameter 'path'") }
        let path = try objectPath(request, action: "create", localPath: localPath)
        let upload = try await store.createPresignedUpload(path, partCount: body.numParts ?? 1)
        return JSONResponse.object(capacity: 1024 * max(1, upload.parts.count)) { w in
            w.field("upload_id", upload.uploadID)
            w.array("credentials", upload.parts) { w, part in
                w.beginObject()
                w.field("url", part.url)
                w.field("part_number", Int64(part.number))
                w.object("headers") { _ in }
                w.endObject()
            }
        }
    }

    @Sendable func completeMultipart(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let store = try requirePresigning()
        let body = try await request.decodeJSON(CompleteMultipartBody.self, context: context)
        guard let localPath = body.path, let uploadID = body.uploadID, let parts = body.parts else {
            throw CairnError.invalidParameter("Missing value for required parameter 'path', 'upload_id' or 'parts'")
        }
        let path = try objectPath(request, action: "complete", localPath: localPath)
        let completed = try parts.map { part throws(CairnError) in
            guard let etag = part.etag, !etag.isEmpty else { throw CairnError.invalidParameter("Part \(part.partNumber) has no etag") }
            return S3CompletedPart(number: part.partNumber, etag: etag)
        }
        try await store.completePresignedUpload(path, uploadID: uploadID, parts: completed)
        return JSONResponse.empty
    }

    @Sendable func abortMultipart(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let store = try requirePresigning()
        let body = try await request.decodeJSON(AbortMultipartBody.self, context: context)
        guard let localPath = body.path, let uploadID = body.uploadID else {
            throw CairnError.invalidParameter("Missing value for required parameter 'path' or 'upload_id'")
        }
        try await store.abortPresignedUpload(try objectPath(request, action: "abort", localPath: localPath), uploadID: uploadID)
        return JSONResponse.empty
    }

    @Sendable func presignedDownload(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let store = try requirePresigning(download: true)
        let path = try Self.artifactPath(request, after: Self.presignedPrefix)
        let download = try await store.presignedDownload(path)
        return JSONResponse.object { w in
            w.field("url", download.url)
            w.object("headers") { _ in }
            w.field("file_size", download.size)
        }
    }
}

struct CreateMultipartBody: Decodable {
    var path: String?
    var numParts: Int?
    enum CodingKeys: String, CodingKey {
        case path
        case numParts = "num_parts"
    }
}

struct CompleteMultipartBody: Decodable {
    struct Part: Decodable {
        var partNumber: Int
        var etag: String?
        enum CodingKeys: String, CodingKey {
            case partNumber = "part_number"
            case etag
        }
    }
    var path: String?
    var uploadID: String?
    var parts: [Part]?
    enum CodingKeys: String, CodingKey {
        case path, parts
        case uploadID = "upload_id"
    }
}

struct AbortMultipartBody: Decodable {
    var path: String?
    var uploadID: String?
    enum CodingKeys: String, CodingKey {
        case path
        case uploadID = "upload_id"
    }
}
