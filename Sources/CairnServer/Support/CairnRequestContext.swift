import Hummingbird
import Logging

/// The request context of every Cairn route. JSON bodies are collected up to
/// ``maxJSONBodySize``; artifact uploads stream and are not bounded by it.
public struct CairnRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    /// The largest JSON body accepted (16 MiB: far above a 1000-metric batch of long keys).
    public static let maxJSONBodySize = 16 * 1024 * 1024

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { Self.maxJSONBodySize }
}
