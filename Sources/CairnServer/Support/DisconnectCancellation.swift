import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Cancels a read-only request's handler when its client's connection closes before the answer
/// is ready, so a search nobody waits for stops holding a database connection. The database side
/// follows: ``CairnStore/PostgresDatabase`` closes a connection whose statement was cancelled and
/// PostgreSQL (checking its clients every second, `client_connection_check_interval`) ends the
/// statement; an SQLite search ends at its deadline. Writes are never cancelled halfway: a
/// promotion or an idempotency record must finish once begun.
///
/// A connection counts as closed when it is (its close future), which ``ClientAbortHandler``
/// brings about when the client stops sending while an answer is pending.
enum DisconnectCancellation {
    /// The answer to a request whose client has gone (never sent: the connection is closed).
    /// 499 is nginx's "client closed request".
    static var clientClosed: Response { Response(status: .init(code: 499, reasonPhrase: "Client Closed Request")) }

    /// Runs `handler` in the calling task, cancelling the task if the connection closes first.
    ///
    /// The task itself is cancelled (through ``ConnectionWatch``), not a child running the
    /// handler: a task group with a handler child and a watcher child (two tasks, a stream and
    /// their cancellation) cost about 3% of Cairn's CPU for an experiment search, this under 1%
    /// (`perf`, one client).
    static func run(
        _ request: Request, context: CairnRequestContext, _ handler: @escaping RouteRegistrar.Handler
    ) async throws -> Response {
        guard let channel = context.channel else { return try await handler(request, context) }
        let watch = ConnectionWatch.of(channel)
        let alreadyClosed = withUnsafeCurrentTask { task in task.map { watch.begin(cancelling: $0) } ?? false }
        // Before this function returns, so the watch never cancels the task after it has left.
        defer { watch.end() }
        if alreadyClosed { return clientClosed }
        do {
            return try await handler(request, context)
        } catch  where watch.isClosed {
            // The handler's cancellation error: nobody is there to answer.
            context.logger.debug("client disconnected; request cancelled", metadata: ["path": "\(request.uri.path)"])
            return clientClosed
        }
    }
}

/// Whether a connection's client has gone, and the request task to cancel when it goes. One per
/// open connection, with one close callback, however many requests the connection carries (a
/// callback per request would pile up on a keep-alive connection until it closed).
final class ConnectionWatch: Sendable {
    /// The task of the request being answered, kept between ``begin(cancelling:)`` and ``end()``.
    /// `UnsafeCurrentTask` may only be used while its task runs: the request's task is suspended
    /// in (or running) its handler for as long as it is kept here, and it is cancelled only under
    /// the lock that ``end()`` takes before the task goes on, so it is never used after.
    private struct RequestTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct State {
        var closed = false
        var request: RequestTask?
    }

    private let state = NIOLockedValueBox(State())
    private static let open = NIOLockedValueBox<[ObjectIdentifier: ConnectionWatch]>([:])

    /// The watch of `channel`, made (and hooked to its close) on first use.
    static func of(_ channel: any Channel) -> ConnectionWatch {
        let id = ObjectIdentifier(channel)
        let (watch, isNew) = open.withLockedValue { open -> (ConnectionWatch, Bool) in
            if let existing = open[id] { return (existing, false) }
            let created = ConnectionWatch()
            open[id] = created
            return (created, true)
        }
        if isNew {
            channel.closeFuture.whenComplete { _ in
                _ = open.withLockedValue { $0.removeValue(forKey: id) }
                watch.closed()
            }
        }
        return watch
    }

    /// Keeps `task` to cancel when the connection closes; true (and nothing kept) if it has closed.
    func begin(cancelling task: UnsafeCurrentTask) -> Bool {
        state.withLockedValue { state in
            if state.closed { return true }
            state.request = RequestTask(task: task)
            return false
        }
    }

    /// The request is answered: no task to cancel any more.
    func end() {
        state.withLockedValue { $0.request = nil }
    }

    /// Whether the connection has closed.
    var isClosed: Bool { state.withLockedValue { $0.closed } }

    private func closed() {
        state.withLockedValue { state in
            state.closed = true
            state.request?.task.cancel()
            state.request = nil
        }
    }
}
