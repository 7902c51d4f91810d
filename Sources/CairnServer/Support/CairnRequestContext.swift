import Hummingbird
import Logging
import NIOCore

/// The request context of every Cairn route. JSON bodies are collected up to
/// ``maxJSONBodySize``; artifact uploads stream and are not bounded by it.
public struct CairnRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    /// The largest JSON body accepted (16 MiB: far above a 1000-metric batch of long keys).
    public static let maxJSONBodySize = 16 * 1024 * 1024

    /// Completes when the client's connection closes (nil where there is no real channel).
    public let connectionClosed: EventLoopFuture<Void>?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.connectionClosed = source.channel.closeFuture
    }

    public var maxUploadSize: Int { Self.maxJSONBodySize }
}
