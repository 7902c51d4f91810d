import NIOConcurrencyHelpers
import PostgresNIO
import Synchronization

/// Ends statements whose connection closes under them.
///
/// postgres-nio hands a statement to its connection with a channel write whose failure it drops
/// (`channel.write(task, promise: nil)`): on a connection that closed a moment before (PostgreSQL
/// stopped in `immediate` mode, a network cut), the statement's promise is never completed and
/// its caller waits for ever, holding a pooled connection, its request, and shutdown (the fault
/// test `Tests/faults/postgres_restart.py` saw it in half its runs). So each statement runs in a
/// task of its own while its caller waits on a continuation that either the statement or the
/// connection's close resumes, whichever comes first (the task prefers ``EventLoopTaskExecutor``,
/// as an unstructured task does not inherit its caller's preference: on the global pool it cost
/// two more thread hops per statement). One close callback per connection serves
/// all its statements; a statement abandoned that way keeps its task until postgres-nio lets go
/// of it (with the bug above: for the life of the process; a few kilobytes per closed connection).
final class StatementWatch: Sendable {
    static let shared = StatementWatch()

    /// Per connection (by identity), the failure handlers of its statements in flight.
    private let inFlight = NIOLockedValueBox<[ObjectIdentifier: [UInt64: @Sendable (any Error) -> Void]]>([:])
    private let nextID = Atomic<UInt64>(0)

    func run<T: Sendable>(on connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let key = ObjectIdentifier(connection)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let firstOnConnection = inFlight.withLockedValue { table -> Bool in
                let first = table[key] == nil
                table[key, default: [:]][id] = { once.resume(throwing: $0) }
                return first
            }
            if firstOnConnection {
                connection.closeFuture.whenComplete { [inFlight] _ in
                    let waiting = inFlight.withLockedValue { $0.removeValue(forKey: key) ?? [:] }
                    for fail in waiting.values {
                        fail(SQLDatabaseError(.unavailable, "the connection to PostgreSQL closed during the statement"))
                    }
                }
            }
            Task(executorPreference: EventLoopTaskExecutor.shared) { [inFlight] in
                let result: Result<T, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                inFlight.withLockedValue { table in
                    _ = table[key]?.removeValue(forKey: id)
                }
                once.resume(with: result)
            }
        }
    }
}

/// A continuation resumed by whichever of its resumers comes first; later ones do nothing.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLockedValue { $0 = continuation }
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLockedValue { current in
            current?.resume(with: result)
            current = nil
        }
    }

    func resume(throwing error: any Error) { resume(with: .failure(error)) }
}
