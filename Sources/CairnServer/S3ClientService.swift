import CairnArtifacts
import ServiceLifecycle

/// Keeps the S3 store's HTTP client for the server's lifetime and closes it on graceful shutdown.
struct S3ClientService: Service {
    let store: S3ArtifactStore

    func run() async throws {
        try? await gracefulShutdown()
        try await store.shutdown()
    }
}
