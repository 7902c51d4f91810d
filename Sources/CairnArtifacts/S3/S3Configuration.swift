import CairnCore

/// Where and how `S3ArtifactStore` talks to S3 (AWS S3, MinIO, SeaweedFS, ...).
///
/// The executable fills it from `--artifacts-uri s3://bucket/prefix` and the standard AWS
/// variables; libraries never read the environment.
public struct S3Configuration: Sendable {
    /// How the bucket is addressed in URLs.
    public enum Addressing: Sendable, Hashable {
        /// `https://bucket.s3.region.amazonaws.com/key` (AWS's default).
        case virtualHosted
        /// `http://host:port/bucket/key` (MinIO, SeaweedFS).
        case pathStyle
    }

    /// The bucket name.
    public var bucket: String
    /// The key prefix that is the artifact root, without leading or trailing `/`; empty for the
    /// whole bucket.
    public var prefix: String
    public var credentials: S3Credentials
    /// The signing region. Default `us-east-1`.
    public var region = "us-east-1"
    /// The endpoint Cairn talks to; nil for AWS (`https://s3.<region>.amazonaws.com`).
    public var endpoint: S3Endpoint?
    public var addressing = Addressing.virtualHosted
    /// The endpoint written into presigned URLs handed to clients; nil for ``endpoint``.
    public var publicEndpoint: S3Endpoint?
    /// Whether clients get presigned URLs (multipart upload, direct download). When false every
    /// byte flows through Cairn.
    public var presignedURLs = true
    /// Validity of presigned URLs, in seconds. Default one hour.
    public var presignedURLExpiry = 3600
    /// Size of each multipart part and the largest single-PUT upload, in bytes. Default 8 MiB
    /// (S3's minimum part size is 5 MiB).
    public var partSize = 8 * 1024 * 1024
    /// Parts uploaded at the same time for one upload; memory per upload is about
    /// `(partUploadConcurrency + 1) * partSize`. Default 2.
    public var partUploadConcurrency = 2
    /// Ranged GETs in flight for one download of more than ``partSize`` bytes (a whole object,
    /// or an explicit range longer than a part). Parts are fetched concurrently and delivered in
    /// order; memory per download is at most `downloadConcurrency * partSize`. 1 streams the
    /// object with a single GET. Default 4.
    public var downloadConcurrency = 4
    /// Keys per ListObjectsV2 page (S3's maximum is 1000).
    public var listPageSize = 1000
    /// Connection timeout, in seconds. Default 5.
    public var connectTimeoutSeconds: Int64 = 5
    /// Longest wait for S3 to answer once a request is sent, in seconds. Default 60.
    public var readTimeoutSeconds: Int64 = 60

    /// - Parameters:
    ///   - bucket: the bucket name.
    ///   - prefix: the root key prefix (leading and trailing `/` are dropped).
    ///   - credentials: the signing credentials.
    public init(bucket: String, prefix: String = "", credentials: S3Credentials) {
        self.bucket = bucket
        self.prefix = String(prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/"))
        self.credentials = credentials
    }

    /// Parses `s3://bucket[/prefix]`.
    /// - Returns: the bucket and the prefix (possibly empty).
    /// - Throws: ``CairnError`` 400 when the URI is not of that form.
    public static func parseURI(_ uri: String) throws(CairnError) -> (bucket: String, prefix: String) {
        guard uri.hasPrefix("s3://") else { throw .invalidParameter("Not an S3 URI: '\(uri)' (expected s3://bucket/prefix)") }
        let rest = uri.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts.first ?? "")
        let validBucket =
            (3...63).contains(bucket.count)
            && bucket.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        guard validBucket else { throw .invalidParameter("Invalid S3 bucket name '\(bucket)' in '\(uri)'") }
        let prefix = parts.count > 1 ? String(parts[1]) : ""
        let segments = prefix.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalidParameter("Invalid S3 prefix in '\(uri)': '.' and '..' segments are not allowed")
        }
        return (bucket, segments.joined(separator: "/"))
    }

    /// The endpoint requests go to.
    var effectiveEndpoint: S3Endpoint {
        endpoint ?? S3Endpoint(scheme: "https", host: region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com", port: nil)
    }
}
