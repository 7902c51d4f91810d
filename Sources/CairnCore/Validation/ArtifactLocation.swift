/// An experiment's `artifact_location` as MLflow stores it (`handlers._validate_storage_location_uri`,
/// then `mlflow/utils/uri.py` `resolve_uri_if_local`). Pure, so the rules are tested without a server.
public enum ArtifactLocation {
    /// The schemes that name a host other than the artifact store (MLflow's
    /// `mlflow/store/artifact/host_policy.py`); refused, as MLflow refuses them by default.
    public static let hostAddressedSchemes: Set<String> = ["ftp", "sftp", "hdfs", "viewfs", "http", "https", "r2", "b2", "abfss"]

    /// The location to store for the `artifact_location` of a new experiment.
    ///
    /// Checked in MLflow's order: no URL fragment or params (`#`, `;`), no host-addressed scheme
    /// (``hostAddressedSchemes``, or `mlflow-artifacts://host/…`), no `runs:/` URI. A path without a
    /// scheme is joined to `workingDirectory` when relative (`rel/dir` → `<cwd>/rel/dir`, `./a` →
    /// `<cwd>/a`; `..` is kept, as pathlib keeps it), and `file:rel` becomes `file://<cwd>/rel`.
    /// Absolute paths and other URIs are kept.
    /// - Parameters:
    ///   - raw: the location as the request gave it (not empty).
    ///   - workingDirectory: the server's working directory, an absolute path.
    ///   - parameter: the parameter named in messages (`artifact_location`).
    /// - Throws: ``CairnError`` 400 `INVALID_PARAMETER_VALUE` with MLflow's message.
    public static func resolve(_ raw: String, workingDirectory: String, parameter: String = "artifact_location") throws(CairnError) -> String {
        let scheme = self.scheme(of: raw)
        if raw.contains("#") || (scheme != nil && raw.contains(";")) {
            throw .invalidParameter("'\(parameter)' URL can't include fragments or params.")
        }
        try refuseHostAddressedScheme(raw, parameter: parameter)
        if scheme == "runs" {
            throw .invalidParameter("Artifact location cannot be a runs:/ URI. Given: '\(raw)'")
        }
        switch scheme {
        case nil:
            return raw.hasPrefix("/") ? raw : join(workingDirectory, raw)
        case "file":
            let rest = raw.dropFirst("file:".count)
            return rest.hasPrefix("/") ? raw : "file://" + join(workingDirectory, String(rest))
        default:
            return raw
        }
    }

    /// Refuses a URI whose scheme names a host other than the artifact store (``hostAddressedSchemes``,
    /// or `mlflow-artifacts://host/…`), as MLflow's `_validate_artifact_uri_scheme` refuses an
    /// experiment's `artifact_location` and a model version's `source`.
    /// - Throws: ``CairnError`` 400 `INVALID_PARAMETER_VALUE` with MLflow's message naming `parameter`.
    public static func refuseHostAddressedScheme(_ raw: String, parameter: String) throws(CairnError) {
        guard let scheme = scheme(of: raw),
            hostAddressedSchemes.contains(scheme) || (scheme == "mlflow-artifacts" && raw.dropFirst(scheme.count + 1).hasPrefix("//"))
        else { return }
        throw .invalidParameter(
            "'\(parameter)' cannot use the '\(scheme)' scheme: the '\(scheme)' scheme addresses a host other than the tracking server's configured artifact storage, so the server would connect to the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it."
        )
    }

    /// The URI scheme, lowercased (`s3`, `file`), or nil for a plain path. A one-letter scheme is a
    /// Windows drive, not a scheme, as in `urllib`'s users in MLflow.
    public static func scheme(of raw: String) -> String? {
        guard let colon = raw.firstIndex(of: ":") else { return nil }
        let candidate = raw[..<colon]
        guard candidate.count > 1, let first = candidate.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
            candidate.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0))
            })
        else { return nil }
        return candidate.lowercased()
    }

    /// `pathlib.Path(directory, relative)`: `.` segments and repeated slashes dropped, `..` kept.
    static func join(_ directory: String, _ relative: String) -> String {
        let parts = (directory + "/" + relative).split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}
