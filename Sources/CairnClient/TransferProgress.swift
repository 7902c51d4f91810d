import NIOConcurrencyHelpers

/// Bytes moved so far by a transfer of several files, shared by the tasks moving them and read
/// by whoever shows progress.
public final class TransferProgress: Sendable {
    private struct State {
        var done: Int64 = 0
        var total: Int64
        var filesDone = 0
        var files: Int
        var directFiles = 0
    }

    private let state: NIOLockedValueBox<State>

    /// A transfer of `files` files, `total` bytes in all.
    public init(total: Int64, files: Int) {
        state = NIOLockedValueBox(State(total: total, files: files))
    }

    /// Counts bytes moved (or, negative, bytes to move again after a failed attempt).
    public func add(_ bytes: Int64) {
        state.withLockedValue { $0.done += bytes }
    }

    /// Counts a finished file, and whether it went straight to or from the artifact store.
    public func fileFinished(via route: TransferRoute = .proxy) {
        state.withLockedValue {
            $0.filesDone += 1
            if route == .direct { $0.directFiles += 1 }
        }
    }

    /// Files that went straight to or from the artifact store.
    public var directFiles: Int {
        state.withLockedValue { $0.directFiles }
    }

    /// What has been moved: bytes and files, each of their totals.
    public var snapshot: (done: Int64, total: Int64, filesDone: Int, files: Int) {
        state.withLockedValue { ($0.done, $0.total, $0.filesDone, $0.files) }
    }
}
