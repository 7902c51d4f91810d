@_spi(Testing) import CairnArtifacts
import CairnCore
import Foundation
import Logging
import NIOCore
import Testing

/// Stopping the S3 server in the middle of an upload: the caller gets a clear 503, and after a
/// restart no object (partial or whole) is visible under the key.
@Suite(.enabled(if: S3TestEnvironment.isAvailable, "needs CAIRN_TEST_S3_WEED (scripts/test.sh)"), .serialized)
struct S3OutageTests {
    @Test func stoppingS3MidUploadLeavesNoObject() async throws {
        let server = try S3ServerProcess()
        try await server.start()
        defer { server.stop() }
        var configuration = try S3TestEnvironment.configuration(prefix: "outage")
        configuration.endpoint = try S3Endpoint(parsing: server.endpoint)
        configuration.bucket = "outage-test"
        var bucketLevel = configuration
        bucketLevel.prefix = ""
        try await S3TestEnvironment.withStore(bucketLevel) { try await $0.createBucket() }
        try await S3TestEnvironment.withStore(configuration) { store in
            // The stream kills the server once 12 MiB (two parts) have gone out.
            let killed = KillOnce(server: server)
            let stream = PatternStream(
                size: 40 * 1024 * 1024, chunkSize: 256 * 1024,
                onProgress: { offset in
                    if offset >= 12 * 1024 * 1024 { killed.fire() }
                })
            let started = ContinuousClock.now
            let error = await #expect(throws: CairnError.self) { _ = try await store.put(ArtifactPath(validating: "model.bin"), body: stream) }
            #expect(error?.code == .temporarilyUnavailable || error?.code == .badGateway, "got \(String(describing: error))")
            #expect(ContinuousClock.now - started < .seconds(30))

            try await server.start()
            #expect(try await store.info(ArtifactPath(validating: "model.bin")) == nil)
            #expect(try await store.list(.root) == [])
        }
    }
}

/// Kills the server the first time it fires.
final class KillOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private let server: S3ServerProcess
    init(server: S3ServerProcess) { self.server = server }
    func fire() {
        lock.lock()
        defer { lock.unlock() }
        guard !fired else { return }
        fired = true
        server.stop()
    }
}
