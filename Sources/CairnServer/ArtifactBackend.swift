import CairnArtifacts

/// Where `cairn serve` keeps artifacts.
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
}
