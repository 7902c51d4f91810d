import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// PostgreSQL connection pools, one per NIO event loop, each opening its connections on its own
/// loop, and the choice of pool for a statement: the calling loop's own while it has a
/// connection to spare, otherwise the one with the most to spare.
///
/// Why: with one pool over every loop, a request served on one loop mostly got a connection of
/// another, so each statement crossed threads on its way out, on its rows' way back and again for
/// the response. A request's task runs on the loop that resumed it (``EventLoopTaskExecutor``),
/// so with a connection of its own loop the whole request stays on one thread. On two cores an
/// experiment search took five context switches and 0.40-0.49 ms of Cairn's CPU that way, two
/// and 0.31 ms with these pools (`perf stat`, one client).
///
/// The pools split the connection ceiling between them (every pool gets at least one; with a
/// ceiling below the number of loops, only that many loops have a pool and the others always
/// borrow). A statement that finds its own pool busy borrows from another, so a burst on one loop
/// can use every connection, as with one pool. The choice reads each pool's demand (statements
/// leased or waiting) without a lock: two statements may both take a pool's last connection, in
/// which case one waits in that pool's queue, as it would in one pool's.
final class EventLoopPools: Sendable {
    /// One loop's pool.
    final class Pool: Sendable {
        let client: PostgresClient
        /// The most connections this pool opens.
        let capacity: Int
        /// Statements leased or waiting on this pool.
        let demand = Atomic<Int>(0)

        init(client: PostgresClient, capacity: Int) {
            self.client = client
            self.capacity = capacity
        }

        var spare: Int { capacity - demand.load(ordering: .relaxed) }
    }

    let pools: [Pool]
    /// The index in ``pools`` of each loop's own pool.
    private let poolOfLoop: [ObjectIdentifier: Int]
    /// How many pools ``run()`` has started, and who waits for all of them (``waitUntilRunning()``).
    private let started = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    /// - Parameters:
    ///   - configuration: every pool's settings; its `maximumConnections` is split between the
    ///     pools, and each keeps `minimumConnections` (at most its share) open while idle.
    ///   - group: the loops to make pools for, in order, as many as the ceiling allows.
    init(configuration: PostgresClient.Configuration, group: any EventLoopGroup, logger: Logger) {
        let ceiling = max(1, configuration.options.maximumConnections)
        let loops = Array(group.makeIterator().prefix(ceiling))
        var pools: [Pool] = []
        var poolOfLoop: [ObjectIdentifier: Int] = [:]
        for (index, loop) in loops.enumerated() {
            var options = configuration
            let capacity = ceiling / loops.count + (index < ceiling % loops.count ? 1 : 0)
            options.options.maximumConnections = capacity
            options.options.minimumConnections = min(configuration.options.minimumConnections, capacity)
            pools.append(Pool(client: PostgresClient(configuration: options, eventLoopGroup: loop, backgroundLogger: logger), capacity: capacity))
            poolOfLoop[ObjectIdentifier(loop)] = index
        }
        self.pools = pools
        self.poolOfLoop = poolOfLoop
    }

    /// The pool for a statement issued on the calling thread: its loop's own while that has a
    /// connection to spare, otherwise the one with the most to spare (its own when none has any).
    func pool() -> Pool {
        let own = MultiThreadedEventLoopGroup.currentEventLoop.flatMap { poolOfLoop[ObjectIdentifier($0)] }.map { pools[$0] }
        if let own, own.spare > 0 { return own }
        var best = own ?? pools[0]
        var bestSpare = best.spare
        for pool in pools {
            let spare = pool.spare
            if spare > bestSpare { (best, bestSpare) = (pool, spare) }
        }
        return best
    }

    /// Leases a connection of ``pool()`` for `body`.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let pool = pool()
        pool.demand.add(1, ordering: .relaxed)
        defer { pool.demand.subtract(1, ordering: .relaxed) }
        return try await pool.client.withConnection(body)
    }

    /// Runs every pool until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for pool in pools {
                group.addTask {
                    self.markStarted()
                    await pool.client.run()  // which marks the client running before it first suspends
                }
            }
        }
    }

    /// Returns once ``run()`` has started every pool. A command that opens the database for one
    /// piece of work runs the pools in a child task and its first statement at once; without
    /// this wait the statement often came first, and postgres-nio logged a warning that `run()`
    /// had not been called (seen on every `cairn migrate`).
    func waitUntilRunning() async {
        await withCheckedContinuation { continuation in
            let ready = started.withLock { state in
                if state.count >= pools.count { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func markStarted() {
        let waiters = started.withLock { state in
            state.count += 1
            guard state.count == pools.count else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
