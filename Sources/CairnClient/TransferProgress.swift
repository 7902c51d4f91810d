import NIOConcurrencyHelpers

/// Bytes moved so far by a transfer of several files, shared by the tasks moving them and read
/// by whoever shows progress.
public final class TransferProgress: Sendable {
    private struct State {
        var done: Int64 = 0
        var total: Int64
        var filesDone = 0
        var files: Int
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

    /// Counts a finished file.
    public func fileFinished() {
        state.withLockedValue { $0.filesDone += 1 }
    }

    /// What has been moved: bytes and files, each of their totals.
    public var snapshot: (done: Int64, total: Int64, filesDone: Int, files: Int) {
        state.withLockedValue { ($0.done, $0.total, $0.filesDone, $0.files) }
    }
}
