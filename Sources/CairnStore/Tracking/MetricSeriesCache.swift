import Synchronization

/// The series id of each (run, metric key) this process has written, so the training loop's hot
/// path (`log-metric`, `log-batch`) needs no lookup before its one insert. A series id never
/// changes once created; a purged run's ids may linger here harmlessly, because every write also
/// checks that the run is active. Bounded: emptied when it reaches ``capacity`` entries.
final class MetricSeriesCache: Sendable {
    struct Key: Hashable, Sendable {
        var runID: String
        var key: ExactKey
    }

    static let capacity = 200_000
    private let ids = Mutex<[Key: Int64]>([:])

    /// The known ids of `keys` in `runID`, and the keys not known yet.
    func lookup(runID: String, keys: [ExactKey]) -> (known: [ExactKey: Int64], missing: [ExactKey]) {
        ids.withLock { ids in
            var known: [ExactKey: Int64] = [:]
            var missing: [ExactKey] = []
            for key in keys {
                if let id = ids[Key(runID: runID, key: key)] { known[key] = id } else { missing.append(key) }
            }
            return (known, missing)
        }
    }

    func store(runID: String, _ found: [ExactKey: Int64]) {
        ids.withLock { ids in
            if ids.count + found.count > Self.capacity { ids.removeAll(keepingCapacity: true) }
            for (key, id) in found { ids[Key(runID: runID, key: key)] = id }
        }
    }
}
