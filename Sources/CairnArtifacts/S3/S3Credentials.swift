/// AWS credentials for signing: an access key pair and, for temporary credentials, a session token.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// `AWS_SESSION_TOKEN` of temporary (STS) credentials; sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Never prints the secret.
    public var description: String { "S3Credentials(\(accessKeyID), secret: ***\(sessionToken == nil ? "" : ", session token: ***"))" }
}
