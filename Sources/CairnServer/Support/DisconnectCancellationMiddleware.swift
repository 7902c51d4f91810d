import Hummingbird
import Logging
import NIOCore

/// Cancels a request's handler when its client's connection closes before the answer is ready,
/// so a search nobody waits for stops holding a database connection. The database side follows
/// the cancellation: ``CairnStore/PostgresDatabase`` closes a connection whose statement was
/// cancelled, and PostgreSQL (checking its clients every second, `client_connection_check_interval`)
/// ends the statement; an SQLite search ends at its deadline.
///
/// Only a full close counts (the connection's close future); a keep-alive connection between
/// requests, or a client that half-closes after sending, is not cancelled.
struct DisconnectCancellationMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let closed = context.connectionClosed else { return try await next(request, context) }
        return try await withoutActuallyEscaping(next) { next in try await run(request, context: context, next: next, closed: closed) }
    }

    /// The middleware's `next`, handed to a child task of a group the call awaits in full.
    private struct UncheckedHandler: @unchecked Sendable {
        let next: (Request, Context) async throws -> Response
    }

    private func run(
        _ request: Request, context: Context, next: @escaping (Request, Context) async throws -> Response, closed: EventLoopFuture<Void>
    ) async throws -> Response {
        let (disconnected, signal) = AsyncStream<Never>.makeStream()
        closed.whenComplete { _ in signal.finish() }
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask {
                // Ends when the connection closes, or when cancelled once the answer is ready.
                for await _ in disconnected {}
                return nil
            }
            // `next` runs in a child task so that it can be cancelled; the group awaits it before
            // returning, so it never outlives this call (hence the unchecked transfer).
            let handler = UncheckedHandler(next: next)
            group.addTask { try await handler.next(request, context) }
            var clientGone = false
            while true {
                do {
                    guard let finished = try await group.next() else { break }
                    if let response = finished {
                        group.cancelAll()
                        return response
                    }
                    // The client went away first: stop the handler and let it unwind.
                    clientGone = true
                    group.cancelAll()
                    context.logger.debug("client disconnected; request cancelled", metadata: ["path": "\(request.uri.path)"])
                } catch where clientGone {
                    break  // the handler's cancellation error: nobody is there to answer
                }
            }
            // Never sent: the connection is closed. 499 is nginx's "client closed request".
            return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
        }
    }
}
