import ArgumentParser
import CairnClient
import CairnCore
import Foundation

/// `cairn artifacts ls | upload | download`.
struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List, upload and download a run's artifacts (large files straight to and from the artifact store when the server offers it).",
        subcommands: [List.self, Upload.self, Download.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a run's artifacts under a path.")

        @Argument var runID: String
        @Argument(help: "A directory below the run's artifact root (default: the root)")
        var path: String = ""

        @Flag(name: [.customShort("R"), .long], help: "Every file below, recursively")
        var recursive = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            try await connection.withClient { client in
                let root = try await client.artifactRoot(runID: runID)
                let entries =
                    recursive ? try await client.artifactFiles(root: root, path: path) : try await client.listArtifacts(root: root, path: path)
                let items = entries.map { entry -> JSONValue in
                    var item: JSONValue = ["path": .string(entry.path), "is_dir": .bool(entry.isDirectory)]
                    if let size = entry.size { item["file_size"] = .int(size) }
                    return item
                }
                try await ListOutput(
                    format: output.output,
                    columns: [
                        Column("PATH") { ($0["path"]?.stringValue ?? "") + (($0["is_dir"]?.boolValue ?? false) ? "/" : "") },
                        Column("SIZE") { $0["file_size"]?.intValue.map(ByteCount.format) ?? "" },
                    ], wideColumns: [Column("BYTES") { $0["file_size"].map(Format.scalar) ?? "" }]
                ).print(limit: nil) { _, _ in ResultPage(items: items, nextPageToken: nil) }
            }
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upload", abstract: "Upload files and directories (recursively) to a run's artifacts, several files at a time.")

        @Argument var runID: String

        @Argument(help: "Local files or directories")
        var local: [String]

        @Option(name: .long, help: "The directory below the run's artifact root to upload into (default: the root)")
        var path: String = ""

        @OptionGroup var transfer: TransferOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            MallocTuning.apply()
            var plan: [(local: String, remote: String, size: Int64)] = []
            for item in local {
                plan += try LocalFiles.walk(item, into: path)
            }
            let files = plan
            let progress = TransferProgress(total: files.reduce(0) { $0 + $1.size }, files: files.count)
            try await connection.withClient(adjust: transfer.apply) { client in
                let root = try await client.artifactRoot(runID: runID)
                try await Interruption.cancellingOnInterrupt {
                    try await ProgressBar(progress: progress, verb: "upload").run {
                        try await Transfers.run(files, parallel: transfer.parallel) { file in
                            let route = try await client.uploadArtifact(root: root, path: file.remote, from: file.local, progress: progress)
                            progress.fileFinished(via: route)
                        }
                    }
                }
            }
            Terminal.message("uploaded \(files.count) file(s), \(ByteCount.format(progress.snapshot.total))\(TransferOptions.direct(progress))")
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "download",
            abstract: "Download a run's artifacts (a file, or a directory recursively), resuming partial files, checking each file's size.")

        @Argument var runID: String
        @Argument(help: "A file or directory below the run's artifact root (default: everything)")
        var path: String = ""

        @Option(name: .long, help: "The local directory to download into")
        var to: String

        @OptionGroup var transfer: TransferOptions
        @OptionGroup var connection: ClientOptions

        func run() async throws {
            MallocTuning.apply()
            try await connection.withClient(adjust: transfer.apply) { client in
                let root = try await client.artifactRoot(runID: runID)
                let files = try await client.artifactFiles(root: root, path: path)
                guard !files.isEmpty else { throw ClientError(.notFound, "Run \(runID) has no artifact at '\(path)'") }
                // A directory's files keep their paths below it; a single file lands in --to.
                let base = files.count == 1 && files[0].path == path ? (path as NSString).deletingLastPathComponent : path
                let plan = try files.map { file -> (entry: CairnClient.ArtifactEntry, local: String) in
                    let relative = base.isEmpty ? file.path : String(file.path.dropFirst(base.count + 1))
                    return (file, try LocalFiles.destination(relative, in: to))
                }
                let progress = TransferProgress(total: files.reduce(0) { $0 + ($1.size ?? 0) }, files: files.count)
                try await Interruption.cancellingOnInterrupt {
                    try await ProgressBar(progress: progress, verb: "download").run {
                        try await Transfers.run(plan, parallel: transfer.parallel) { item in
                            try FileManager.default.createDirectory(
                                atPath: (item.local as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                            let route = try await client.downloadArtifact(
                                root: root, path: item.entry.path, to: item.local, expectedSize: item.entry.size, progress: progress)
                            progress.fileFinished(via: route)
                        }
                    }
                }
                Terminal.message(
                    "downloaded \(files.count) file(s), \(ByteCount.format(progress.snapshot.done)) to \(to)\(TransferOptions.direct(progress))")
            }
        }
    }
}

/// Runs transfers with at most `parallel` at once; the first failure cancels the rest.
enum Transfers {
    static func run<Item: Sendable>(_ items: [Item], parallel: Int, _ transfer: @escaping @Sendable (Item) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = items.makeIterator()
            for _ in 0..<parallel {
                guard let item = next.next() else { break }
                group.addTask { try await transfer(item) }
            }
            while try await group.next() != nil {
                if let item = next.next() { group.addTask { try await transfer(item) } }
            }
        }
    }
}

/// Local paths of a transfer.
enum LocalFiles {
    /// The files of `path` (itself, or every file below it) with their artifact paths under `destination`.
    static func walk(_ path: String, into destination: String) throws -> [(local: String, remote: String, size: Int64)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClientError(.usage, "No such file or directory: \(path)")
        }
        let prefix = destination.split(separator: "/").joined(separator: "/")
        func remote(_ relative: String) -> String { prefix.isEmpty ? relative : "\(prefix)/\(relative)" }
        let name = (path as NSString).lastPathComponent
        guard isDirectory.boolValue else {
            return [(path, remote(name), try size(path))]
        }
        var files: [(String, String, Int64)] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(relative)
            var directory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &directory), !directory.boolValue else { continue }
            files.append((full, remote("\(name)/\(relative)"), try size(full)))
        }
        return files.sorted { $0.1 < $1.1 }
    }

    static func size(_ path: String) throws -> Int64 {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int64 else {
            throw ClientError(.usage, "Cannot read \(path)")
        }
        return size
    }

    /// Where an artifact lands: `relative` below `directory`, refusing paths that would leave it.
    static func destination(_ relative: String, in directory: String) throws -> String {
        let parts = relative.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw ClientError(.failed, "Refusing to write the artifact '\(relative)' outside \(directory)")
        }
        return (directory as NSString).appendingPathComponent(parts.joined(separator: "/"))
    }
}

/// `--parallel N` and `--via-proxy` of the transfer commands.
struct TransferOptions: ParsableArguments {
    @Option(name: .long, help: "Files transferred at once (1-16, default 4)")
    var parallel: Int = 4

    @Flag(
        name: .customLong("via-proxy"),
        help: ArgumentHelp(
            "Send every byte through the server's artifact proxy",
            discussion: """
                By default a file of 64 MiB or more moves straight between this machine and the artifact store \
                (a multipart upload, or parallel ranged downloads, through URLs the server presigns), 8 parts at a \
                time, when the server offers it; use this when the store's endpoint is not reachable from here.
                """))
    var viaProxy = false

    func validate() throws {
        guard (1...16).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 16") }
    }

    /// The client's transfer settings for these options.
    func apply(_ configuration: inout CairnClient.Configuration) {
        if viaProxy { configuration.directTransfer.mode = .never }
    }

    /// ` (N straight to/from the artifact store)` for the summary line, when any did.
    static func direct(_ progress: TransferProgress) -> String {
        let count = progress.directFiles
        return count == 0 ? "" : " (\(count) directly with the artifact store)"
    }
}
