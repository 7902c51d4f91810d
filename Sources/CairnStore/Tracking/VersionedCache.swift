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
/// details. Bounded by an estimate of its size (``budget``): past it, arbitrary entries are
/// dropped until it is under three quarters of it; a value over a sixty-fourth of it is not kept.
public final class VersionedCache<Value: Sendable>: Sendable {
    public let budget: Int
    private let size: @Sendable (Value) -> Int

    private struct Entry {
        var version: Int64
        var value: Value
        var bytes: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
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
            var found: [String: Value] = [:]
            for (runID, version) in versions {
                if let entry = state.entries[runID], entry.version == version { found[runID] = entry.value }
            }
            return found
        }
    }

    /// The cached value of one run if its entry has `version`.
    public func lookup(_ runID: String, version: Int64) -> Value? {
        state.withLock { state in
            guard let entry = state.entries[runID], entry.version == version else { return nil }
            return entry.value
        }
    }

    /// Keeps each value under the version its run's details were read under.
    public func store(_ read: [(runID: String, version: Int64, value: Value)]) {
        let sized = read.map { ($0.runID, Entry(version: $0.version, value: $0.value, bytes: size($0.value))) }
        let budget = self.budget
        state.withLock { state in
            for (runID, entry) in sized where entry.bytes <= budget / 64 {
                state.bytes += entry.bytes - (state.entries.updateValue(entry, forKey: runID)?.bytes ?? 0)
            }
            guard state.bytes > budget else { return }
            var excess = state.bytes - budget / 4 * 3
            var victims: [String] = []
            for (runID, entry) in state.entries {
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
