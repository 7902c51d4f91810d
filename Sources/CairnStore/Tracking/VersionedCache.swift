import Synchronization

/// Values derived from runs' details, each kept under the run's details version
/// (``SQLTrackingStore/detailVersionColumn``) it was read under. Run searches keep the details
/// themselves (``RunDetails``), so that a page whose runs have not changed reads one small value
/// per run instead of their metrics, params and tags (at 2,000 runs, 100 runs of 25 values each
/// were most of a page's time: 3.6 ms of PostgreSQL for the details statement and its decoding in
/// Cairn); the server keeps their JSON.
///
/// An entry is only used for the version it was read under: every write of a run's details bumps
/// the version in the same transaction, so a changed run misses and is read again. Each replica
/// has its own caches and checks the shared versions, so replicas never serve each other's stale
/// details. Bounded by an estimate of its size (``budget``): past it, the entries used longest ago
/// are dropped until it is under three quarters of it (a walk through every page of a large
/// experiment does not push out the pages being read again and again); a value over a
/// sixty-fourth of the budget is not kept.
public final class VersionedCache<Value: Sendable>: Sendable {
    public let budget: Int
    private let size: @Sendable (Value) -> Int

    private struct Entry {
        var version: Int64
        var value: Value
        var bytes: Int
        /// ``State/clock`` when the entry was last stored or found.
        var used: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        /// Counts lookups and stores.
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    /// `size`: a value's estimated bytes, counted against `budget`.
    public init(budget: Int, size: @escaping @Sendable (Value) -> Int) {
        self.budget = budget
        self.size = size
    }

    /// The cached values of the runs in `versions` whose entry has that version.
    public func lookup(_ versions: [String: Int64]) -> [String: Value] {
        state.withLock { state in
            state.clock += 1
            var found: [String: Value] = [:]
            for (runID, version) in versions {
                guard let index = state.entries.index(forKey: runID), state.entries.values[index].version == version else { continue }
                state.entries.values[index].used = state.clock
                found[runID] = state.entries.values[index].value
            }
            return found
        }
    }

    /// The values of the runs in `versions`: those kept under that version, and for the others
    /// what `make` returns (one call for all of them), kept under their versions.
    public func values(
        for versions: [String: Int64], making make: ([String]) async throws -> [String: Value]
    ) async rethrows -> [String: Value] {
        var found = versions.isEmpty ? [:] : lookup(versions)
        let missing = versions.keys.filter { found[$0] == nil }
        guard !missing.isEmpty else { return found }
        var made: [(runID: String, version: Int64, value: Value)] = []
        for (runID, value) in try await make(missing) {
            guard let version = versions[runID] else { continue }
            found[runID] = value
            made.append((runID, version, value))
        }
        store(made)
        return found
    }

    /// Keeps each value under the version its run's details were read under.
    public func store(_ read: [(runID: String, version: Int64, value: Value)]) {
        let sized = read.map { ($0.runID, $0.version, $0.value, size($0.value)) }
        let budget = self.budget
        state.withLock { state in
            state.clock += 1
            for (runID, version, value, bytes) in sized where bytes <= budget / 64 {
                let entry = Entry(version: version, value: value, bytes: bytes, used: state.clock)
                state.bytes += bytes - (state.entries.updateValue(entry, forKey: runID)?.bytes ?? 0)
            }
            guard state.bytes > budget else { return }
            // Least recently used first; a sort of every entry, once per quarter of the budget stored.
            var excess = state.bytes - budget / 4 * 3
            var victims: [String] = []
            for (runID, entry) in state.entries.sorted(by: { $0.value.used < $1.value.used }) {
                guard excess > 0 else { break }
                victims.append(runID)
                excess -= entry.bytes
            }
            for runID in victims {
                state.bytes -= state.entries.removeValue(forKey: runID)?.bytes ?? 0
            }
        }
    }

    /// The entries and their estimated bytes (tests).
    public var usage: (entries: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
