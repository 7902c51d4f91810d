import ArgumentParser
import CairnArtifacts
import CairnCore
import CairnSettings

/// The artifact store option of `serve` and `gc`, with the S3 settings an `s3://` URI brings in.
struct ArtifactOptions: ParsableArguments {
    @Option(name: .customLong(Settings.artifactsURI.flag!), help: ArgumentHelp(Settings.artifactsURI.help))
    var artifactsURI: String?

    /// Where artifacts live.
    func backend(_ reader: ConfigurationReader) throws -> ArtifactBackend {
        let uri = try reader.required(Settings.artifactsURI, flag: artifactsURI)
        guard uri.hasPrefix("s3://") else {
            return .local(uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)) : uri)
        }
        return .s3(try Self.s3Configuration(uri: uri, reader))
    }

    /// The S3 store's configuration from `s3://bucket/prefix` and the S3 settings.
    static func s3Configuration(uri: String, _ reader: ConfigurationReader) throws -> S3Configuration {
        let location: (bucket: String, prefix: String)
        do {
            location = try S3Configuration.parseURI(uri)
        } catch {
            throw CommandError("Invalid --artifacts-uri: \(String(describing: error))")
        }
        guard let accessKey = reader.string(Settings.s3AccessKeyID), let secret = reader.string(Settings.s3SecretAccessKey) else {
            throw CommandError("--artifacts-uri \(uri) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let credentials = S3Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: reader.string(Settings.s3SessionToken))
        var configuration = S3Configuration(bucket: location.bucket, prefix: location.prefix, credentials: credentials)
        configuration.region = try reader.required(Settings.s3Region)
        configuration.endpoint = try reader.value(Settings.s3Endpoint, expected: "an http(s) URL") { try S3Endpoint(parsing: $0) }
        configuration.publicEndpoint = try reader.value(Settings.s3PublicEndpoint, expected: "an http(s) URL") { try S3Endpoint(parsing: $0) }
        if try reader.boolean(Settings.s3PathStyle) { configuration.addressing = .pathStyle }
        configuration.presignedURLs = try reader.boolean(Settings.s3Presign)
        configuration.downloadConcurrency = try reader.required(
            Settings.s3DownloadConcurrency, in: 1...64, expected: "a number from 1 to 64")
        return configuration
    }
}
