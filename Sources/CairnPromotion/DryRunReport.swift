import CairnCore

/// What a dry-run promotion answers: the manifests Cairn would apply and what the cluster's
/// server-side dry run made of each (defaults filled in, admission run), plus warnings such as a
/// source whose files Cairn cannot locate.
public struct DryRunReport: Sendable {
    public var model: String
    public var version: Int64
    public var target: String
    /// The storage URI the manifests point at.
    public var storageURI: String
    /// The rendered objects, in apply order.
    public var manifests: [JSONValue]
    /// The server's dry-run result for each manifest, in the same order.
    public var serverResults: [JSONValue]
    public var warnings: [String]
}
