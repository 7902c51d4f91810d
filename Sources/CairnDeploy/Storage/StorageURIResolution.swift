/// The outcome of resolving a model version's source to a URI the cluster can download from.
public enum StorageURIResolution: Sendable, Equatable {
    /// The storage URI to render, e.g. `s3://models/1/<run>/artifacts/model`.
    case resolved(String)
    /// No URI could be derived; the message says why. A dry run shows it as a warning; a real
    /// promotion cannot apply without a URI.
    case unresolved(warning: String)

    /// The URI when resolved.
    public var storageURI: String? {
        if case .resolved(let uri) = self { return uri }
        return nil
    }

    /// The warning when unresolved.
    public var warning: String? {
        if case .unresolved(let warning) = self { return warning }
        return nil
    }
}
