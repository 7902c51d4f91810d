import CairnCore
import NIOCore
import NIOFileSystem

/// Artifacts in a local directory (the zero-setup default). Uploads are written to a hidden
/// temporary file and renamed into place on success (NIOFileSystem's transactional creation),
/// so a broken upload never shows up under its final name; the file is fsynced before that
/// rename and its directory after it, so an acknowledged upload survives a power loss.
public struct LocalArtifactStore: ArtifactStore {
    public let root: FilePath
    private let fileSystem: FileSystem

    /// - Parameter root: the directory; created (with parents) if missing.
    public init(root: String) async throws {
        self.root = FilePath(root)
        self.fileSystem = .shared
        try await fileSystem.createDirectory(at: self.root, withIntermediateDirectories: true)
    }

    func filePath(_ path: ArtifactPath) -> FilePath {
        path.isRoot ? root : root.appending(path.value)
    }

    /// Linux's NAME_MAX: the longest name of one file or directory, in bytes.
    static let maxNameBytes = 255

    /// Whether a name in `path` is longer than ``maxNameBytes``: such a file cannot exist, so it
    /// is not found and cannot be uploaded (the file system answers ENAMETOOLONG, which was a 500).
    private func hasOverlongName(_ path: ArtifactPath) -> Bool {
        path.value.split(separator: "/").contains { $0.utf8.count > Self.maxNameBytes }
    }

    public func put<Body: AsyncSequence & Sendable>(_ path: ArtifactPath, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: an upload needs a file name") }
        guard !hasOverlongName(path) else {
            throw CairnError.invalidParameter(
                "Invalid path: a name in '\(path)' is longer than \(Self.maxNameBytes) bytes, the local artifact store's limit")
        }
        let target = filePath(path)
        if let parent = target.removingLastComponent() as FilePath?, parent != target {
            do {
                try await fileSystem.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                if let file = try await firstFileAncestor(of: path) {
                    throw CairnError.invalidParameter("Invalid path: '\(path)' lies under '\(file)', which is a file")
                }
                throw error
            }
        }
        if let existing = try await fileSystem.info(forFileAt: target, infoAboutSymbolicLink: true), existing.type == .directory {
            throw CairnError.invalidParameter("Invalid path: '\(path)' is a directory")
        }
        let written = try await fileSystem.withFileHandle(forWritingAt: target, options: .newFile(replaceExisting: true)) { handle in
            var writer = handle.bufferedWriter(capacity: .kibibytes(256))
            var total: Int64 = 0
            for try await chunk in body {
                total += try await writer.write(contentsOf: chunk)
            }
            try await writer.flush()
            try await handle.synchronize()
            return total
        }
        // The rename that published the file is an entry of its directory: fsynced too, so the
        // name survives a power loss as well as the bytes.
        try await fileSystem.withDirectoryHandle(atPath: target.removingLastComponent()) { try await $0.synchronize() }
        return written
    }

    /// The first ancestor of `path` that exists and is not a directory, if any.
    private func firstFileAncestor(of path: ArtifactPath) async throws -> String? {
        var prefix: [Substring] = []
        for segment in path.value.split(separator: "/").dropLast() {
            prefix.append(segment)
            let ancestor = prefix.joined(separator: "/")
            guard let info = try await fileSystem.info(forFileAt: root.appending(ancestor), infoAboutSymbolicLink: true) else { return nil }
            if info.type != .directory { return ancestor }
        }
        return nil
    }

    /// The file system's info for `path`; nil when it does not exist, also when a parent of it
    /// is a file (which the file system reports as an error, "not a directory").
    private func existingInfo(_ path: ArtifactPath) async throws -> FileInfo? {
        guard !hasOverlongName(path) else { return nil }
        do {
            return try await fileSystem.info(forFileAt: filePath(path), infoAboutSymbolicLink: true)
        } catch {
            if try await firstFileAncestor(of: path) != nil { return nil }
            throw error
        }
    }

    public func info(_ path: ArtifactPath) async throws -> ArtifactFileInfo? {
        guard let info = try await existingInfo(path) else { return nil }
        switch info.type {
        case .directory: return ArtifactFileInfo(path: path.value, isDirectory: true, size: nil)
        case .regular: return ArtifactFileInfo(path: path.value, isDirectory: false, size: info.size)
        default: return nil
        }
    }

    public func read(_ path: ArtifactPath, range: Range<Int64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        guard !hasOverlongName(path) else { throw CairnError.notFound("File \(path) not found") }
        try await fileSystem.withFileHandle(forReadingAt: filePath(path)) { handle in
            let chunks = range.map { handle.readChunks(in: $0, chunkLength: .kibibytes(128)) } ?? handle.readChunks(chunkLength: .kibibytes(128))
            for try await chunk in chunks {
                try await consume(chunk)
            }
        }
    }

    public func list(_ path: ArtifactPath) async throws -> [ArtifactFileInfo] {
        let directory = filePath(path)
        guard let info = try await existingInfo(path), info.type == .directory else {
            return []
        }
        var entries: [ArtifactFileInfo] = []
        try await fileSystem.withDirectoryHandle(atPath: directory) { handle in
            for try await entry in handle.listContents() {
                let name = entry.name.string
                let childPath = path.isRoot ? name : path.value + "/" + name
                switch entry.type {
                case .directory:
                    entries.append(ArtifactFileInfo(path: childPath, isDirectory: true, size: nil))
                case .regular:
                    let size = try await fileSystem.info(forFileAt: directory.appending(name))?.size
                    entries.append(ArtifactFileInfo(path: childPath, isDirectory: false, size: size))
                default:
                    continue
                }
            }
        }
        return entries.sorted { $0.path < $1.path }
    }

    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw CairnError.invalidParameter("Invalid path: refusing to delete the artifact root") }
        guard try await existingInfo(path) != nil else { return }
        _ = try await fileSystem.removeItem(at: filePath(path), strategy: .platformDefault, recursively: true)
    }
}
