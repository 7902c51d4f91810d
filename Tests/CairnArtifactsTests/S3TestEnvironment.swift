@_spi(Testing) import CairnArtifacts
import Foundation
import Logging
import Testing

/// The SeaweedFS server that scripts/test.sh starts (CAIRN_TEST_S3_*). Without it the S3 tests are
/// skipped, except with CI=true, where they run and fail.
enum S3TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static var endpoint: String? { environment["CAIRN_TEST_S3_ENDPOINT"] }
    static var bucket: String { environment["CAIRN_TEST_S3_BUCKET"] ?? "cairn-test" }
    static var isAvailable: Bool { endpoint != nil || environment["CI"] == "true" }
    static var credentials: S3Credentials {
        S3Credentials(
            accessKeyID: environment["CAIRN_TEST_S3_ACCESS_KEY"] ?? "", secretAccessKey: environment["CAIRN_TEST_S3_SECRET_KEY"] ?? "")
    }

    /// A configuration for a fresh, unique prefix in the test bucket.
    static func configuration(prefix: String = "t-\(UUID().uuidString.lowercased())/root") throws -> S3Configuration {
        let endpointText = try #require(endpoint, "CAIRN_TEST_S3_ENDPOINT is not set: run scripts/test.sh (it starts SeaweedFS)")
        var configuration = S3Configuration(bucket: bucket, prefix: prefix, credentials: credentials)
        configuration.endpoint = try S3Endpoint(parsing: endpointText)
        configuration.addressing = .pathStyle
        configuration.partSize = 5 * 1024 * 1024
        configuration.connectTimeoutSeconds = 3
        configuration.readTimeoutSeconds = 10
        return configuration
    }

    /// Runs `body` with a store on a fresh prefix, then shuts the store down.
    static func withStore<T>(_ configuration: S3Configuration? = nil, _ body: (S3ArtifactStore) async throws -> T) async throws -> T {
        let store = S3ArtifactStore(configuration: try configuration ?? self.configuration(), logger: Logger(label: "s3-test"))
        do {
            let result = try await body(store)
            try await store.shutdown()
            return result
        } catch {
            try? await store.shutdown()
            throw error
        }
    }

    /// Every key in the bucket under `prefix` (a store on the bucket root lists it).
    static func keys(under prefix: String) async throws -> [String] {
        var configuration = try self.configuration(prefix: "")
        configuration.prefix = ""
        return try await withStore(configuration) { store in
            try await store.allKeys(under: prefix)
        }
    }
}
