import CairnArtifacts
import CairnCore
import CairnStore
import Hummingbird

/// Artifacts addressed by the run or logged model that owns them, as MLflow serves them:
/// `artifacts/list` of a run, the UI's `upload-artifact`, and a logged model's listing and
/// download. Only roots in Cairn's own store (`mlflow-artifacts:`) are read or written.
struct TrackedArtifactsController {
    let store: any TrackingStore
    let artifacts: any ArtifactStore
    var metrics = ServerMetrics.disabled

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/2.0/mlflow/artifacts/list", listRunArtifacts)
        routes.get("/api/2.0/mlflow/logged-models/:model_id/artifacts/directories", listModelArtifacts)
        // UI-only routes: MLflow serves them under /ajax-api and nowhere else.
        routes.post("/ajax-api/2.0/mlflow/upload-artifact", access: .scope(.write), upload)
        routes.get("/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files", downloadModelArtifact)
    }

    /// MLflow's limit for `upload-artifact` (`handlers.upload_artifact_handler`).
    static let maxUploadBytes = 10 * 1024 * 1024

    /// A relative path from a query parameter, refused as MLflow refuses it (`Invalid path`);
    /// nil when absent or empty.
    private static func relativePath(_ request: Request, _ name: String) throws(CairnError) -> ArtifactPath? {
        guard let raw = request.query(name) else { return nil }
        return try ArtifactPath(validating: raw)
    }

    /// `{"root_uri", "files"}` for the directory `path` below the store path `root`; `files`
    /// is left out when empty, as MLflow does.
    private func listing(rootURI: String, root: ArtifactPath?, path: ArtifactPath) async throws -> Response {
        var entries: [ArtifactFileInfo] = []
        if let root { entries = try await ArtifactsController.entries(of: path, under: root, relativeToRoot: true, artifacts: artifacts) }
        return JSONResponse.object { w in
            w.field("root_uri", rootURI)
            if !entries.isEmpty { w.array("files", entries) { w, entry in w.fileInfo(entry) } }
        }
    }

    /// A run's artifacts, paths relative to its root. A root outside Cairn's store (an experiment
    /// created with an absolute `artifact_location`) answers only `root_uri`.
    @Sendable func listRunArtifacts(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let runID = try required(request.query("run_id") ?? request.query("run_uuid"), "run_id")
        let path = try Self.relativePath(request, "path") ?? .root
        let info = try await store.runInfo(id: runID)
        return try await listing(rootURI: info.artifactURI, root: ArtifactPath.proxied(info.artifactURI), path: path)
    }

    @Sendable func listModelArtifacts(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let modelID = try required(context.parameters.get("model_id"), "model_id")
        let path = try Self.relativePath(request, "artifact_directory_path") ?? .root
        let model = try await store.loggedModel(id: modelID)
        return try await listing(rootURI: model.artifactLocation, root: ArtifactPath.proxied(model.artifactLocation), path: path)
    }

    @Sendable func downloadModelArtifact(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let modelID = try required(context.parameters.get("model_id"), "model_id")
        guard let path = try Self.relativePath(request, "artifact_file_path") else {
            throw CairnError(.badRequest, "Request must include the \"artifact_file_path\" query parameter.")
        }
        let model = try await store.loggedModel(id: modelID)
        guard let root = ArtifactPath.proxied(model.artifactLocation) else {
            throw CairnError.notFound("File \(path) not found: the model's artifacts are not in Cairn's store (\(model.artifactLocation))")
        }
        return try await ArtifactsController.fileResponse(root.appending(path), request: request, artifacts: artifacts, metrics: metrics)
    }

    /// The UI's upload: the file as the raw body, `run_uuid` and `path` in the query, at most
    /// 10 MiB; checked in MLflow's order, answered with 200 and an empty body.
    @Sendable func upload(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard let runID = request.query("run_uuid") else { throw CairnError.invalidParameter("Request must specify run_uuid.") }
        guard let path = try Self.relativePath(request, "path") else { throw CairnError.invalidParameter("Request must specify path.") }
        let tooLarge = CairnError.invalidParameter("Artifact size is too large. Max size is 10MB.")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxUploadBytes { throw tooLarge }
        let bytes: [UInt8]
        do {
            bytes = try await request.bodyBytes(context: context, limit: Self.maxUploadBytes)
        } catch let error as CairnError where error.code == .requestTooLarge {
            throw tooLarge
        }
        guard !bytes.isEmpty else { throw CairnError.invalidParameter("Request must specify data.") }
        let info = try await store.runInfo(id: runID)
        guard let root = ArtifactPath.proxied(info.artifactURI) else {
            throw CairnError.invalidParameter(
                "upload-artifact writes only to artifact roots in Cairn's store (mlflow-artifacts:); run \(runID) has \(info.artifactURI)")
        }
        let stored = try await artifacts.put(root.appending(path), body: RequestBody(buffer: ByteBuffer(bytes: bytes)))
        metrics.recordArtifactBytes(received: Int(stored))
        return Response(status: .ok, headers: [.contentType: "application/json"])
    }
}
