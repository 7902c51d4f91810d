import CairnCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A Swift task executor that runs each job on the NIO event loop that enqueues it (the loop
/// whose I/O resumed the task), or on the group's next loop when another thread enqueues it.
///
/// Why: a request's task otherwise runs on Swift's global pool, and each `await` on NIO (the
/// request body, a database statement, the response write) is a hop from a loop thread to a pool
/// thread and back. On two cores those wake-ups were a third of Cairn's CPU for a one-statement
/// request. With this executor preferred (`cairn serve` prefers it for all its tasks), a task
/// continues on the thread that resumed it, which is awake already. Work that blocks a thread
/// must not run here (it would stall the loop's I/O, as it would stall the global pool);
/// SQLite's calls run on its own thread pool.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    /// The executor over NIO's shared event loops, which the HTTP server and the PostgreSQL pool use.
    public static let shared = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton)

    private let group: MultiThreadedEventLoopGroup

    init(_ group: MultiThreadedEventLoopGroup) { self.group = group }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        nearestLoop().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// The loop of the calling thread, or the group's next one when the caller is not on a loop.
    private func nearestLoop() -> any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
    }

    /// Waits until `deadline` or until the task is cancelled, on an event loop's timer.
    ///
    /// `Task.sleep` goes to Dispatch's timer thread whatever the task's executor: for a timer
    /// set on every statement and almost always cancelled (``PostgresDatabase``'s wait for a
    /// pooled connection), its scheduling was an eighth of Cairn's CPU for a one-statement
    /// request (`perf`).
    public func sleep(until deadline: ContinuousClock.Instant) async {
        let loop = nearestLoop()
        let state = NIOLockedValueBox(SleepState.starting)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let delay = max(.zero, deadline - .now)
                let timer = loop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { () -> Void in
                    state.withLockedValue { $0.finish() }?.resume()
                }
                let finished = state.withLockedValue { current -> Bool in
                    guard case .starting = current else { return true }
                    current = .waiting(continuation, timer)
                    return false
                }
                if finished {
                    timer.cancel()
                    continuation.resume()
                }
            }
        } onCancel: {
            state.withLockedValue { $0.finish() }?.resume()
        }
    }
}

/// Where a ``EventLoopTaskExecutor/sleep(until:)`` is: its continuation is resumed exactly once,
/// by the timer or by cancellation, whichever comes first (cancellation may come before the
/// continuation exists).
private enum SleepState: Sendable {
    case starting
    case waiting(CheckedContinuation<Void, Never>, Scheduled<Void>)
    case finished

    /// Marks the sleep finished; returns the continuation to resume, if it is waiting.
    mutating func finish() -> CheckedContinuation<Void, Never>? {
        defer { self = .finished }
        guard case .waiting(let continuation, let timer) = self else { return nil }
        timer.cancel()
        return continuation
    }
}
