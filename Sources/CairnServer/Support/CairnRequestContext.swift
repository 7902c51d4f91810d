import Hummingbird
import Logging
import NIOCore

/// The request context of every Cairn route. JSON bodies are collected up to
/// ``maxJSONBodySize``; artifact uploads stream and are not bounded by it.
public struct CairnRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    /// The largest JSON body accepted (16 MiB: far above a 1000-metric batch of long keys).
    public static let maxJSONBodySize = 16 * 1024 * 1024

    /// The client's connection, watched for the client leaving (``DisconnectCancellation``).
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public var maxUploadSize: Int { Self.maxJSONBodySize }
}
