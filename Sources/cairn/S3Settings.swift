import ArgumentParser
import CairnArtifacts
import CairnCore

/// Builds the S3 store's configuration from `s3://bucket/prefix` and the standard AWS variables.
enum S3Settings {
    static func fromEnvironment(uri: String) throws -> S3Configuration {
        let location: (bucket: String, prefix: String)
        do {
            location = try S3Configuration.parseURI(uri)
        } catch {
            throw ValidationError("Invalid --artifacts-uri: \(String(describing: error))")
        }
        guard let accessKey = Environment.value("AWS_ACCESS_KEY_ID"), let secret = Environment.value("AWS_SECRET_ACCESS_KEY") else {
            throw ValidationError("--artifacts-uri \(uri) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let credentials = S3Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: Environment.value("AWS_SESSION_TOKEN"))
        var configuration = S3Configuration(bucket: location.bucket, prefix: location.prefix, credentials: credentials)
        configuration.region = Environment.value("AWS_REGION") ?? Environment.value("AWS_DEFAULT_REGION") ?? "us-east-1"
        do {
            if let endpoint = Environment.value("CAIRN_S3_ENDPOINT") ?? Environment.value("AWS_ENDPOINT_URL_S3") {
                configuration.endpoint = try S3Endpoint(parsing: endpoint)
            }
            if let endpoint = Environment.value("CAIRN_S3_PUBLIC_ENDPOINT") {
                configuration.publicEndpoint = try S3Endpoint(parsing: endpoint)
            }
        } catch {
            throw ValidationError(String(describing: error))
        }
        if try flag("CAIRN_S3_PATH_STYLE", default: false) { configuration.addressing = .pathStyle }
        configuration.presignedURLs = try flag("CAIRN_S3_PRESIGN", default: true)
        if let text = Environment.value("CAIRN_S3_DOWNLOAD_CONCURRENCY") {
            guard let concurrency = Int(text), (1...64).contains(concurrency) else {
                throw ValidationError("Invalid CAIRN_S3_DOWNLOAD_CONCURRENCY='\(text)': expected a number from 1 to 64")
            }
            configuration.downloadConcurrency = concurrency
        }
        return configuration
    }

    private static func flag(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = Environment.value(name) else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ValidationError("Invalid \(name)='\(text)': expected true or false")
        }
    }
}
