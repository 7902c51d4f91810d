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
    func json(for runs: [VersionedRun]) -> [[UInt8]] {
        var versions: [String: Int64] = [:]
        for item in runs {
            if let version = item.detailsVersion { versions[item.run.info.runID] = version }
        }
        var cached = versions.isEmpty ? [:] : cache.lookup(versions)
        var written: [(runID: String, version: Int64, value: [UInt8])] = []
        let json = runs.map { item in
            let runID = item.run.info.runID
            if let bytes = cached[runID] { return bytes }
            let bytes = JSONWriter.runDetailsJSON(item.run)
            if let version = item.detailsVersion {
                written.append((runID, version, bytes))
                cached[runID] = bytes
            }
            return bytes
        }
        if !written.isEmpty { cache.store(written) }
        return json
    }

    /// The entries and their estimated bytes (tests).
    var usage: (entries: Int, bytes: Int) { cache.usage }
}
