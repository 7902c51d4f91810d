import CairnCore
import NIOCore

/// Where artifact bytes live. Implementations stream in both directions and never hold a whole
/// file in memory; a failed upload leaves nothing visible under its final name.
public protocol ArtifactStore: Sendable {
    /// Stores `body` at `path`, replacing any file there. Returns the bytes written.
    func put<Body: AsyncSequence & Sendable>(_ path: ArtifactPath, body: Body) async throws -> Int64 where Body.Element == ByteBuffer

    /// What is at `path`: a file (with its size), a directory, or nil.
    func info(_ path: ArtifactPath) async throws -> ArtifactFileInfo?

    /// Streams the bytes of the file at `path` (optionally a byte range) to `consume`, in chunks.
    func read(_ path: ArtifactPath, range: Range<Int64>?, into consume: (ByteBuffer) async throws -> Void) async throws

    /// The direct children of the directory at `path`, with paths relative to the root; empty
    /// when there is no such directory.
    func list(_ path: ArtifactPath) async throws -> [ArtifactFileInfo]

    /// Deletes the file or directory (recursively) at `path`; a missing path is not an error.
    func delete(_ path: ArtifactPath) async throws
}

/// An entry of a listing (MLflow's `FileInfo`).
public struct ArtifactFileInfo: Sendable, Hashable {
    public var path: String
    public var isDirectory: Bool
    public var size: Int64?

    public init(path: String, isDirectory: Bool, size: Int64?) {
        self.path = path
        self.isDirectory = isDirectory
        self.size = size
    }
}
