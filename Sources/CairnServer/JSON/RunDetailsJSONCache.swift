import CairnCore
import CairnStore

/// The JSON of run searches' runs' details (``JSONWriter/runDetailsJSON(_:)``), per run under the
/// details version it was written from (``VersionedRun``): a page of unchanged runs copies bytes
/// instead of writing 25 values per run (writing them was 0.8 ms of a 100-run page's 2.7 ms of
/// Cairn's CPU). Only the details: a run's attributes (status, end time, lifecycle stage) change
/// without a new details version and are written every time. Bounded as the store's details
/// cache is (``VersionedCache``), 32 MB of JSON.
struct RunDetailsJSONCache: Sendable {
    private let cache = VersionedCache<[UInt8]>(budget: 32 << 20, size: { $0.count + 96 })

    /// Each run's details JSON, in the order of `runs`: cached when its version has an entry,
    /// otherwise written (and kept when the run has a version).
    func json(for runs: [VersionedRun]) async -> [[UInt8]] {
        var versions: [String: Int64] = [:]
        var versioned: [String: Run] = [:]
        for item in runs {
            guard let version = item.detailsVersion else { continue }
            versions[item.run.info.runID] = version
            versioned[item.run.info.runID] = item.run
        }
        let written = versioned
        let kept = await cache.values(for: versions) { missing in
            Dictionary(uniqueKeysWithValues: missing.compactMap { runID in written[runID].map { (runID, JSONWriter.runDetailsJSON($0)) } })
        }
        return runs.map { kept[$0.run.info.runID] ?? JSONWriter.runDetailsJSON($0.run) }
    }

    /// The entries and their estimated bytes (tests).
    var usage: (entries: Int, bytes: Int) { cache.usage }
}
