import NIOConcurrencyHelpers

/// When large artifact files move straight between this machine and the artifact store, through
/// the URLs the server presigns (MLflow's `mpu/create|complete|abort` and `presigned` routes),
/// instead of through the server's artifact proxy, and in what pieces.
///
/// The server offers the routes when its store is S3 with presigning on, and answers 501
/// otherwise; the client then uses the proxy for that file and every later one.
public struct DirectTransfer: Sendable {
    /// Whether to try the direct routes.
    public enum Mode: Sendable, Hashable {
        /// Files at or above the thresholds go direct when the server offers it.
        case automatic
        /// Every byte goes through the server's artifact proxy (the store's endpoint is not
        /// reachable from here, say).
        case never
    }

    public var mode = Mode.automatic
    /// Files of at least this many bytes are uploaded in parts straight to the store.
    public var uploadMinimumSize: Int64 = 64 << 20
    /// The size of an uploaded part (grown when a file would need more than 10,000 parts).
    /// S3 needs 5 MiB at least for every part but the last.
    public var uploadChunkSize: Int64 = 16 << 20
    /// Files of at least this many bytes are downloaded in ranged pieces straight from the store.
    public var downloadMinimumSize: Int64 = 64 << 20
    /// The size of a downloaded piece.
    public var downloadChunkSize: Int64 = 16 << 20
    /// Parts (or pieces) of one file moving at once. Each holds about 1 MiB of memory in flight.
    public var partsInFlight = 8

    /// S3's smallest part but the last.
    public static let minimumUploadChunkSize: Int64 = 5 << 20
    /// S3's largest number of parts of one upload.
    public static let maximumPartCount: Int64 = 10_000

    public init() {}

    /// The part size and count of an upload of `size` bytes.
    func uploadParts(size: Int64) -> (chunk: Int64, count: Int) {
        let chunk = max(uploadChunkSize, Self.minimumUploadChunkSize, (size + Self.maximumPartCount - 1) / Self.maximumPartCount)
        return (chunk, Int(max(1, (size + chunk - 1) / chunk)))
    }
}

/// How one file moved.
public enum TransferRoute: Sendable, Hashable {
    /// Straight between this machine and the artifact store, through presigned URLs.
    case direct
    /// Through the server's artifact proxy.
    case proxy
}

/// Whether the server still looks like it offers the direct routes: a 501 from one of them
/// turns them off for the rest of the process's transfers.
final class DirectRouteSupport: Sendable {
    private let offered = NIOLockedValueBox(true)

    var isOffered: Bool { offered.withLockedValue { $0 } }

    func markNotOffered() { offered.withLockedValue { $0 = false } }
}
