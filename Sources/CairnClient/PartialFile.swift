import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A download in progress: `<destination>.part`, whose first bytes are known good, and while
/// pieces are written out of order, its journal `<destination>.part.journal` holding how many.
///
/// A download through the proxy appends, so the whole partial file is good. A direct download
/// writes pieces in parallel, so the file may have holes past the good prefix; the journal is
/// written before the first piece and advanced only when every piece below the new mark is
/// written, so a download killed at any moment resumes from a prefix that is really there.
struct PartialFile {
    let path: String
    var journalPath: String { path + ".journal" }

    init(destination: String) {
        path = destination + ".part"
    }

    /// Makes the partial file hold exactly its good prefix (cut at the journal's mark, if there
    /// is a journal) and returns that prefix's length; 0 when there is no partial file.
    func resumePoint() -> Int64 {
        let size = Self.size(path) ?? 0
        guard let text = try? String(contentsOfFile: journalPath, encoding: .utf8) else { return size }
        let mark = min(size, Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
        if mark < size { truncate(path, off_t(mark)) }
        removeJournal()
        return mark
    }

    /// Starts over: no partial file, no journal.
    func discard() {
        unlink(path)
        removeJournal()
    }

    func removeJournal() { unlink(journalPath) }

    /// The partial file opened for writing (created when missing).
    func openForWriting() throws(ClientError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ClientError(.failed, "Cannot write \(path): \(String(cString: strerror(errno)))") }
        return descriptor
    }

    /// The journal, opened and holding `mark`.
    func openJournal(mark: Int64) throws(ClientError) -> Int32 {
        let descriptor = open(journalPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ClientError(.failed, "Cannot write \(journalPath): \(String(cString: strerror(errno)))") }
        try Self.record(mark, in: descriptor, path: journalPath)
        return descriptor
    }

    /// Overwrites the journal's mark (fixed width, so a shorter number leaves no digits behind).
    static func record(_ mark: Int64, in journal: Int32, path: String) throws(ClientError) {
        let text = Array(String(mark).leftPadded(to: 20).utf8) + [0x0A]
        guard pwrite(journal, text, text.count, 0) == text.count else {
            throw ClientError(.failed, "Cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes all of `buffer` at `offset`.
    static func write(_ buffer: ByteBuffer, to descriptor: Int32, at offset: Int64, path: String) throws(ClientError) {
        var failure: Int32 = 0
        buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += written
            }
        }
        if failure != 0 { throw ClientError(.failed, "Cannot write \(path): \(String(cString: strerror(failure)))") }
    }

    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
