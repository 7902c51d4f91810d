/// Settings of a `kind: deployment` target: Cairn renders the storage initializer itself.
public struct DeploymentSettings: Sendable, Equatable {
    /// The serving image; it finds the model at `/mnt/models` (also in `MODEL_URI`).
    public var image: String
    /// The image of the init container that downloads the model (KServe's storage initializer).
    public var storageInitializerImage: String
    /// A Secret, by name, whose keys (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …) become the
    /// init container's environment (`envFrom`). Cairn never reads or writes it.
    public var s3CredentialsSecret: String?
    /// The S3 endpoint variables KServe's storage initializer reads.
    public var s3: S3Endpoint
    /// The serving container's HTTP port, exposed by the Service as port 80.
    public var port: Int

    /// The storage initializer image used when the file names none.
    public static let defaultStorageInitializerImage = "kserve/storage-initializer:v0.20.0"

    /// Creates settings.
    public init(
        image: String, storageInitializerImage: String = DeploymentSettings.defaultStorageInitializerImage,
        s3CredentialsSecret: String? = nil, s3: S3Endpoint = S3Endpoint(), port: Int = 8080
    ) {
        self.image = image
        self.storageInitializerImage = storageInitializerImage
        self.s3CredentialsSecret = s3CredentialsSecret
        self.s3 = s3
        self.port = port
    }
}

/// S3 endpoint settings, passed to the storage initializer as the environment variables KServe's
/// controller derives from a Secret's `serving.kserve.io/s3-*` annotations.
public struct S3Endpoint: Sendable, Equatable {
    /// `host:port` of an S3-compatible store (`S3_ENDPOINT`, and `AWS_ENDPOINT_URL` with a scheme).
    public var endpoint: String?
    /// Whether the endpoint speaks HTTPS (`S3_USE_HTTPS` 1 or 0).
    public var useHTTPS: Bool?
    /// The region (`AWS_DEFAULT_REGION`).
    public var region: String?
    /// Whether TLS certificates are verified (`S3_VERIFY_SSL` 1 or 0).
    public var verifySSL: Bool?

    /// Creates endpoint settings; all unset by default (AWS S3 with the SDK's defaults).
    public init(endpoint: String? = nil, useHTTPS: Bool? = nil, region: String? = nil, verifySSL: Bool? = nil) {
        self.endpoint = endpoint
        self.useHTTPS = useHTTPS
        self.region = region
        self.verifySSL = verifySSL
    }

    /// The environment variables, in a fixed order, as `(name, value)` pairs.
    public var environment: [(name: String, value: String)] {
        var env: [(name: String, value: String)] = []
        if let endpoint {
            env.append(("S3_ENDPOINT", endpoint))
            env.append(("AWS_ENDPOINT_URL", ((useHTTPS ?? true) ? "https://" : "http://") + endpoint))
        }
        if let useHTTPS { env.append(("S3_USE_HTTPS", useHTTPS ? "1" : "0")) }
        if let region { env.append(("AWS_DEFAULT_REGION", region)) }
        if let verifySSL { env.append(("S3_VERIFY_SSL", verifySSL ? "1" : "0")) }
        return env
    }
}
