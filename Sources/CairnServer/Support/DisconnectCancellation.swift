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
    /// Runs `handler`, cancelling it if the connection closes first.
    static func run(
        _ request: Request, context: CairnRequestContext, _ handler: @escaping RouteRegistrar.Handler
    ) async throws -> Response {
        guard let channel = context.channel else { return try await handler(request, context) }
        let watch = ConnectionWatch.of(channel)
        let disconnected = watch.begin()
        defer { watch.end() }
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask {
                // Ends when the connection closes, or when cancelled once the answer is ready.
                for await _ in disconnected {}
                return nil
            }
            group.addTask { try await handler(request, context) }
            var clientGone = false
            while true {
                do {
                    guard let finished = try await group.next() else { break }
                    if let response = finished {
                        group.cancelAll()
                        return response
                    }
                    clientGone = true
                    group.cancelAll()
                    context.logger.debug("client disconnected; request cancelled", metadata: ["path": "\(request.uri.path)"])
                } catch  where clientGone {
                    break  // the handler's cancellation error: nobody is there to answer
                }
            }
            // Never sent: the connection is closed. 499 is nginx's "client closed request".
            return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
        }
    }
}

/// Whether a connection's client has gone, and the request waiting to hear of it. One per open
/// connection, with one close callback, however many requests the connection carries (a
/// callback per request would pile up on a keep-alive connection until it closed).
final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var waiter: AsyncStream<Never>.Continuation?
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

    /// A stream that finishes when the connection closes (at once if it already has).
    func begin() -> AsyncStream<Never> {
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        let alreadyClosed = state.withLockedValue { state -> Bool in
            if state.closed { return true }
            state.waiter = continuation
            return false
        }
        if alreadyClosed { continuation.finish() }
        return stream
    }

    /// The request is answered: nobody waits any more.
    func end() {
        let waiter = state.withLockedValue { state -> AsyncStream<Never>.Continuation? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.finish()
    }

    private func closed() {
        let waiter = state.withLockedValue { state -> AsyncStream<Never>.Continuation? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.finish()
    }
}
