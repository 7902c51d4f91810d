import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The log handler of every `cairn` command: each record as one line on stderr, in the format
/// of `--log-format` (``TextLogLine`` or ``JSONLogLine``). The metadata is formatted only when
/// a line is written, not when a key is set (the server sets one on every request's logger).
struct StandardErrorLogHandler: LogHandler {
    enum Format { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch format {
        case .text: Self.writeLine(TextLogLine.make(label: label, metadata: metadata, event: event))
        case .json: Self.writeLine(JSONLogLine.make(label: label, metadata: metadata, event: event))
        }
    }

    /// One `write(2)` per line where the kernel takes it whole (a pipe takes up to 4 KiB at
    /// once), so lines of concurrent requests do not interleave; a short write is continued.
    static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
