import CairnStore
import NIOPosix
import Testing

/// `cairn serve` runs its tasks on NIO's event loops (``EventLoopTaskExecutor``), and the wait
/// for a pooled connection sleeps on an event loop's timer: a task keeps to the loops across
/// awaits, and the sleep ends at its deadline or at once when its task is cancelled.
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
        #expect(slept >= .milliseconds(80) && slept < .seconds(3), "slept \(slept)")
    }

    @Test func sleepEndsWhenItsTaskIsCancelled() async {
        let start = ContinuousClock.now
        let sleeper = Task { await EventLoopTaskExecutor.shared.sleep(until: .now + .seconds(60)) }
        await EventLoopTaskExecutor.shared.sleep(until: .now + .milliseconds(30))
        sleeper.cancel()
        await sleeper.value
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func sleepInATaskCancelledBeforehandReturnsAtOnce() async {
        let start = ContinuousClock.now
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await EventLoopTaskExecutor.shared.sleep(until: .now + .seconds(60))
        }
        await sleeper.value
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
