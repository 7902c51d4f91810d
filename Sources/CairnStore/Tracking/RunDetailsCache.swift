import CairnCore
import Synchronization

/// Everything of a run but its attributes: what ``SQLTrackingStore/loadRuns(rows:cached:)``
/// reads from five tables besides `runs`.
struct RunDetails: Sendable {
    var metrics: [Metric] = []
    var params: [Param] = []
    var tags: [Tag] = []
    var datasetInputs: [DatasetInput] = []
    var modelInputs: [String] = []
    var modelOutputs: [ModelOutput] = []

    /// A rough size in bytes (text plus a fixed overhead per value), for the cache's budget.
    var estimatedBytes: Int {
        var bytes = 256
        for metric in metrics { bytes += 64 + metric.key.utf8.count }
        for param in params { bytes += 64 + param.key.utf8.count + param.value.utf8.count }
        for tag in tags { bytes += 64 + tag.key.utf8.count + tag.value.utf8.count }
        for dataset in datasetInputs {
            bytes += 64 + dataset.name.utf8.count + dataset.digest.utf8.count + dataset.sourceType.utf8.count + dataset.source.utf8.count
            bytes += dataset.schema.utf8.count + dataset.profile.utf8.count
            for tag in dataset.tags { bytes += 64 + tag.key.utf8.count + tag.value.utf8.count }
        }
        for modelID in modelInputs { bytes += 64 + modelID.utf8.count }
        for output in modelOutputs { bytes += 64 + output.modelID.utf8.count }
        return bytes
    }
}

/// The details of runs that run searches have read, each under the run's details version (see
/// ``SQLTrackingStore/detailVersions(_:)``), so that a search page whose runs have not changed
/// reads one small row per run instead of their metrics, params and tags (at 2,000 runs, 100 runs
/// of 25 values each were most of a page's time: 3.6 ms of PostgreSQL for the details statement
/// and its decoding in Cairn).
///
/// An entry is only used for the version it was read under: every write of a run's details bumps
/// the version in the same transaction, so a changed run misses and is read again. Each replica
/// has its own cache and checks the shared versions, so replicas never serve each other's stale
/// details. Bounded by an estimate of its size (``budget``): past it, arbitrary entries are dropped
/// until it is under three quarters of it.
final class RunDetailsCache: Sendable {
    static let budget = 32 << 20

    private struct Entry {
        var version: Int64
        var details: RunDetails
        var bytes: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// The cached details of the runs in `versions` whose entry has that version.
    func lookup(_ versions: [String: Int64]) -> [String: RunDetails] {
        state.withLock { state in
            var found: [String: RunDetails] = [:]
            for (runID, version) in versions {
                if let entry = state.entries[runID], entry.version == version { found[runID] = entry.details }
            }
            return found
        }
    }

    /// Keeps `details` of each run under the version it was read under (read before the details).
    func store(_ read: [(runID: String, version: Int64, details: RunDetails)]) {
        let sized = read.map { ($0.runID, Entry(version: $0.version, details: $0.details, bytes: $0.details.estimatedBytes)) }
        state.withLock { state in
            for (runID, entry) in sized where entry.bytes <= Self.budget / 64 {
                state.bytes += entry.bytes - (state.entries.updateValue(entry, forKey: runID)?.bytes ?? 0)
            }
            guard state.bytes > Self.budget else { return }
            var excess = state.bytes - Self.budget / 4 * 3
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
    var usage: (entries: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
