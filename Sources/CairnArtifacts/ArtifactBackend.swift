import Logging

/// Where artifacts live: a local directory or an S3 bucket.
public enum ArtifactBackend: Sendable, CustomStringConvertible {
    /// A local directory (created if missing).
    case local(String)
    /// An S3 bucket and prefix.
    case s3(S3Configuration)

    public var description: String {
        switch self {
        case .local(let root): return root
        case .s3(let configuration):
            let endpoint = configuration.endpoint.map { " at \($0)" } ?? ""
            return "s3://\(configuration.bucket)/\(configuration.prefix)\(endpoint)"
        }
    }

    /// Opens the store: creates the local directory, or sets up the S3 client. An S3 store's
    /// HTTP client must be shut down when the store is no longer used
    /// (``S3ArtifactStore/shutdown()``).
    /// - Throws: when the local directory cannot be created.
    public func open(logger: Logger) async throws -> any ArtifactStore {
        switch self {
        case .local(let root): try await LocalArtifactStore(root: root)
        case .s3(let configuration): S3ArtifactStore(configuration: configuration, logger: logger)
        }
    }
}
