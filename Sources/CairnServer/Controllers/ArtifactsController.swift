import CairnArtifacts
import CairnCore
import Hummingbird

/// MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/...`): uploads stream from the request
/// into the store and downloads stream back, so memory stays flat whatever the file size.
struct ArtifactsController {
    let artifacts: any ArtifactStore
    /// Counts the bytes through the proxy, each way.
    var metrics = ServerMetrics.disabled

    static let prefix = "/api/2.0/mlflow-artifacts/artifacts"

    func register(_ routes: RouteRegistrar) {
        routes.put("\(Self.prefix)/**", upload)
        routes.get("\(Self.prefix)/**", download)
        routes.delete("\(Self.prefix)/**", delete)
        routes.get(Self.prefix, list)
        registerDirectTransfer(routes)
    }

    /// The artifact path after the route prefix (or its `/ajax-api` mirror), percent-decoded once
    /// and validated.
    static func artifactPath(_ request: Request, after apiPrefix: String) throws(CairnError) -> ArtifactPath {
        let raw = request.uri.path
        let prefix = raw.hasPrefix("/ajax-api/") ? RouteRegistrar.ajaxMirror(of: apiPrefix) ?? apiPrefix : apiPrefix
        guard raw.hasPrefix(prefix) else { throw .invalidParameter(MLflowMessages.invalidPath) }
        // Only the one separating slash is dropped: `…/artifacts//etc/passwd` names the absolute
        // path `/etc/passwd`, which ArtifactPath refuses, as MLflow does.
        var encoded = raw.dropFirst(prefix.count)
        if encoded.hasPrefix("/") { encoded = encoded.dropFirst() }
        guard let decoded = PercentEncoding.strictDecode(encoded) else {
            throw .invalidParameter(MLflowMessages.invalidPath)
        }
        return try ArtifactPath(validating: decoded)
    }

    /// The `path` query parameter of a listing, validated; a value that does not decode (bad
    /// escapes, invalid UTF-8) is a 400, not the root.
    static func listPath(_ request: Request) throws(CairnError) -> ArtifactPath {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == "path" else { continue }
            let raw = parts.count == 2 ? String(parts[1]).replacing("+", with: " ") : ""
            guard let decoded = PercentEncoding.strictDecode(raw) else { throw .invalidParameter(MLflowMessages.invalidPath) }
            return try ArtifactPath(validating: decoded)
        }
        return .root
    }

    @Sendable func upload(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let path = try Self.artifactPath(request, after: Self.prefix)
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: an upload needs a file name") }
        let stored = try await artifacts.put(path, body: request.body)
        metrics.recordArtifactBytes(received: Int(stored))
        return JSONResponse.empty
    }

    @Sendable func download(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await Self.fileResponse(try Self.artifactPath(request, after: Self.prefix), request: request, artifacts: artifacts, metrics: metrics)
    }

    /// The file at `path` as a download: streamed, with a guessed type, headers that keep a browser
    /// from running it, and `Range` support.
    /// - Throws: 404 when there is no file at `path`.
    static func fileResponse(
        _ path: ArtifactPath, request: Request, artifacts: any ArtifactStore, metrics: ServerMetrics
    ) async throws -> Response {
        guard let info = try await artifacts.info(path), !info.isDirectory, let size = info.size else {
            throw CairnError.notFound("File \(path) not found")
        }
        let contentType = ContentTypes.guess(path.name)
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        // Artifacts are whatever a client uploaded: never let a browser run them on Cairn's
        // origin (stored XSS). No sniffing, a sandbox without scripts or same-origin rights,
        // and types a browser would render as a document downloaded instead.
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "sandbox"
        if ContentTypes.isActive(contentType) {
            headers[.contentDisposition] = ContentTypes.attachment(path.name)
        }
        var status = HTTPResponse.Status.ok
        var range: Range<Int64>?
        if let header = request.headers[.range] {
            guard let requested = ByteRange.parse(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound - 1)/\(size)"
        }
        let length = range.map { $0.upperBound - $0.lowerBound } ?? size
        headers[.contentLength] = String(length)
        let (store, selected) = (artifacts, range)
        let body = ResponseBody(contentLength: Int(length)) { writer in
            try await store.read(path, range: selected) { chunk in
                try await writer.write(chunk)
                metrics.recordArtifactBytes(sent: chunk.readableBytes)
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    @Sendable func list(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let path = try Self.listPath(request)
        let entries = try await Self.entries(of: path, under: .root, artifacts: artifacts)
        return JSONResponse.object { w in
            w.array("files", entries) { w, entry in w.fileInfo(entry) }
        }
    }

    /// The entries of the directory `path` below `root`, with paths relative to the directory
    /// (`root` empty) or to `root` (`sub/weights.bin`), as MLflow's listings name them.
    static func entries(of path: ArtifactPath, under root: ArtifactPath, relativeToRoot: Bool = false, artifacts: any ArtifactStore) async throws
        -> [ArtifactFileInfo]
    {
        let directory = root.appending(path)
        let base = relativeToRoot ? root : directory
        let prefixLength = base.isRoot ? 0 : base.value.count + 1
        return try await artifacts.list(directory).map { entry in
            ArtifactFileInfo(path: String(entry.path.dropFirst(prefixLength)), isDirectory: entry.isDirectory, size: entry.size)
        }
    }

    @Sendable func delete(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let path = try Self.artifactPath(request, after: Self.prefix)
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: refusing to delete the artifact root") }
        try await artifacts.delete(path)
        return JSONResponse.empty
    }
}

/// A single `Range: bytes=…` header resolved against a file size (multi-range is not served).
enum ByteRange {
    static func parse(_ header: String, size: Int64) -> Range<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int64(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int64(parts[1]) ?? -1, size - 1)
        guard end >= start else { return nil }
        return start..<(end + 1)
    }
}

/// Content types for downloads, guessed from the file name as MLflow does.
enum ContentTypes {
    static func guess(_ name: String) -> String {
        let lower = name.lowercased()
        let ext = lower.split(separator: ".").count > 1 ? String(lower.split(separator: ".").last!) : ""
        switch ext {
        case "json": return "application/json"
        case "txt", "log", "md", "py", "yaml", "yml", "cfg", "ini", "toml": return "text/plain; charset=utf-8"
        case "csv": return "text/csv"
        case "html", "htm": return "text/html"
        case "xhtml": return "application/xhtml+xml"
        case "xml": return "application/xml"
        case "js", "mjs": return "text/javascript"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "svg": return "image/svg+xml"
        default: return lower == "mlmodel" ? "text/plain; charset=utf-8" : "application/octet-stream"
        }
    }

    /// Whether a browser would run scripts in a document of this type (HTML, SVG, XML, script).
    static func isActive(_ contentType: String) -> Bool {
        ["text/html", "application/xhtml+xml", "application/xml", "text/xml", "image/svg+xml", "text/javascript"].contains(mediaType(contentType))
    }

    /// The media type of a `Content-Type` value, lowercased, without parameters (`; charset=…`).
    static func mediaType(_ contentType: String) -> String {
        contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
    }

    /// `attachment; filename="..."` with the name reduced to safe ASCII (and its UTF-8 form).
    static func attachment(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value < 0x7f ? Character($0) : "_" })
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(PercentEncoding.encodePathSegment(name))"
    }
}
