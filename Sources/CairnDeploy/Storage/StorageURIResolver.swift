/// Turns a model version's `source` into the `storageUri` a target's pods download from.
///
/// The rule: resolve the source to a location under Cairn's artifact root —
/// `runs:/ID/path` → the run's artifact URI + `/path`; `models:/m-…[/path]` → the logged model's
/// artifact location (+ path); `mlflow-artifacts:/X` → `X` — then
/// `storageUri = storage_uri_prefix + "/" + X`. A location that is already `s3://`, `gs://` or
/// `pvc://` is used as it is. Anything else (a local path, an unknown run, a target without a
/// prefix) resolves to a warning, not an error: the caller decides whether that stops a promotion.
public struct StorageURIResolver: Sendable {
    /// URI schemes a storage initializer downloads from directly.
    public static let directSchemes = ["s3://", "gs://", "pvc://"]

    private let locations: any ArtifactLocations

    /// Creates a resolver over the tracking store's artifact locations.
    public init(locations: any ArtifactLocations) {
        self.locations = locations
    }

    /// Resolves a version's source for a target.
    /// - Parameters:
    ///   - source: The version's `source` (`runs:/…`, `models:/m-…`, `mlflow-artifacts:/…`, `s3://…`).
    ///   - storageLocation: The version's resolved `storage_location`, used when the source itself
    ///     names another registered version (`models:/name/3`).
    ///   - prefix: The target's `storage_uri_prefix`.
    public func resolve(source: String, storageLocation: String? = nil, prefix: String?) async -> StorageURIResolution {
        let location: String
        switch await artifactLocation(of: source, storageLocation: storageLocation) {
        case .success(let found): location = found
        case .failure(let warning): return .unresolved(warning: warning.message)
        }
        return Self.storageURI(forLocation: location, prefix: prefix, source: source)
    }

    /// The storage URI of a location that is already resolved (no look-ups): a direct URI as is,
    /// `mlflow-artifacts:/X` under `prefix`, anything else a warning.
    public static func storageURI(forLocation location: String, prefix: String?, source: String? = nil) -> StorageURIResolution {
        let named = source.map { "source '\($0)'" } ?? "location '\(location)'"
        if directSchemes.contains(where: { location.hasPrefix($0) }) { return .resolved(location) }
        guard location.hasPrefix("mlflow-artifacts:") else {
            return .unresolved(
                warning:
                    "\(named) resolves to '\(location)', which the cluster cannot download: "
                    + "only s3://, gs://, pvc:// or mlflow-artifacts: locations can be served"
            )
        }
        var relative = Substring(location.dropFirst("mlflow-artifacts:".count))
        while relative.hasPrefix("/") { relative = relative.dropFirst() }
        // A proxied URI can carry a host (mlflow-artifacts://host:port/path); the path is what counts.
        if location.hasPrefix("mlflow-artifacts://"), let slash = relative.firstIndex(of: "/") {
            relative = relative[relative.index(after: slash)...]
        }
        while relative.hasSuffix("/") { relative = relative.dropLast() }
        guard !relative.isEmpty, !relative.split(separator: "/").contains("..") else {
            return .unresolved(warning: "\(named) resolves to '\(location)', which names no path under the artifact root")
        }
        guard let prefix else {
            return .unresolved(
                warning:
                    "\(named) lies under Cairn's artifact root ('\(relative)'), but the target has no storage_uri_prefix to reach it from the cluster"
            )
        }
        return .resolved(prefix + "/" + relative)
    }

    private struct Warning: Error {
        var message: String
    }

    private func artifactLocation(of source: String, storageLocation: String?) async -> Result<String, Warning> {
        if source.hasPrefix("runs:/") {
            let parts = source.dropFirst("runs:/".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard let runID = parts.first.map(String.init) else { return .failure(Warning(message: "source '\(source)' names no run")) }
            let path = parts.count > 1 ? Self.trimmedPath(parts[1]) : ""
            do {
                guard let root = try await locations.runArtifactURI(runID: runID) else {
                    return .failure(Warning(message: "source '\(source)': run '\(runID)' does not exist, so its files cannot be found"))
                }
                return .success(Self.join(root, path))
            } catch {
                return .failure(Warning(message: "source '\(source)': the run's artifact location could not be read (\(error))"))
            }
        }
        if source.hasPrefix("models:/") {
            let parts = source.dropFirst("models:/".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard let first = parts.first, first.hasPrefix("m-") else {
                if let storageLocation, !storageLocation.isEmpty, !storageLocation.hasPrefix("models:/") {
                    return await artifactLocation(of: storageLocation, storageLocation: nil)
                }
                return .failure(Warning(message: "source '\(source)' names a registered version whose storage location is unknown"))
            }
            let path = parts.count > 1 ? Self.trimmedPath(parts[1]) : ""
            do {
                guard let root = try await locations.loggedModelArtifactLocation(modelID: String(first)) else {
                    return .failure(Warning(message: "source '\(source)': logged model '\(first)' does not exist, so its files cannot be found"))
                }
                return .success(Self.join(root, path))
            } catch {
                return .failure(Warning(message: "source '\(source)': the logged model's artifact location could not be read (\(error))"))
            }
        }
        return .success(source)
    }

    private static func trimmedPath(_ path: Substring) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }

    private static func join(_ root: String, _ path: String) -> String {
        var root = root
        while root.hasSuffix("/") { root.removeLast() }
        return path.isEmpty ? root : root + "/" + path
    }
}
