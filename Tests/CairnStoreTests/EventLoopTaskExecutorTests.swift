import CairnStore
import NIOPosix
import Testing

/// `cairn serve` runs its tasks on NIO's event loops (``EventLoopTaskExecutor``), and the wait
/// for a pooled connection sleeps on an event loop's timer: a task keeps to the loops across
/// awaits, and the sleep never ends early, and does end, at its deadline or when its task is
/// cancelled. The upper bounds are generous: the test suite runs in parallel and shares the
/// loops, which a busy test can hold for seconds on a two-core machine (CI saw a loop's timer
/// fire 3.9 s late).
@Suite struct EventLoopTaskExecutorTests {
    @Test func aTaskPreferringTheExecutorRunsOnAnEventLoopAcrossAwaits() async throws {
        let onLoop = await withTaskExecutorPreference(EventLoopTaskExecutor.shared) {
            var seen: [Bool] = []
            for _ in 0..<5 {
                seen.append(MultiThreadedEventLoopGroup.currentEventLoop != nil)
                await EventLoopTaskExecutor.shared.sleep(until: .now + .milliseconds(1))
                async let child = MultiThreadedEventLoopGroup.currentEventLoop != nil
                seen.append(await child)
            }
            return seen
        }
        #expect(onLoop == Array(repeating: true, count: 10))
    }

    @Test func sleepEndsAtItsDeadline() async {
        let start = ContinuousClock.now
        await EventLoopTaskExecutor.shared.sleep(until: start + .milliseconds(80))
        let slept = ContinuousClock.now - start
        #expect(slept >= .milliseconds(80) && slept < .seconds(30), "slept \(slept)")
    }

    @Test func sleepEndsWhenItsTaskIsCancelled() async {
        let start = ContinuousClock.now
        let sleeper = Task { await EventLoopTaskExecutor.shared.sleep(until: .now + .seconds(60)) }
        await EventLoopTaskExecutor.shared.sleep(until: .now + .milliseconds(30))
        sleeper.cancel()
        await sleeper.value
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func sleepInATaskCancelledBeforehandReturnsAtOnce() async {
        let start = ContinuousClock.now
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await EventLoopTaskExecutor.shared.sleep(until: .now + .seconds(60))
        }
        await sleeper.value
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}
