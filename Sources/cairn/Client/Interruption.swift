import CairnClient
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C during a transfer: the first SIGINT cancels the work, so it can clean up (a multipart
/// upload is aborted, freeing its parts in the store; a download keeps its resumable `.part`
/// file) and the command exits 130; a second SIGINT ends the process at once.
enum Interruption {
    static func cancellingOnInterrupt<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await body() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            Terminal.message("\ninterrupted: cleaning up (Ctrl-C again to stop at once)")
            signal(SIGINT, SIG_DFL)
            work.cancel()
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return try await withTaskCancellationHandler {
            do {
                return try await work.value
            } catch  where work.isCancelled {
                throw ClientError(.interrupted, "Interrupted")
            }
        } onCancel: {
            work.cancel()
        }
    }
}
