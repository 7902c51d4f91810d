import CairnCore

/// A run of a run search with the details version its metrics, params, tags, inputs and outputs
/// were read under (``SQLTrackingStore/detailVersionColumn``), or nil where no versions are kept
/// (SQLite). Details read under a version are never older than it: a caller may keep what it
/// derives from them under the same version (the server keeps their JSON) and use it for any later
/// search that reads that version again.
public struct VersionedRun: Sendable {
    public var run: Run
    public var detailsVersion: Int64?

    public init(run: Run, detailsVersion: Int64?) {
        self.run = run
        self.detailsVersion = detailsVersion
    }
}
