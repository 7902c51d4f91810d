import CairnSettings
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the CLI knows about where its output goes: data to stdout, messages and progress to
/// stderr; colour and fitting to the width only on a terminal.
enum Terminal {
    /// Whether stdout is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
    /// Whether stdin is a terminal (a prompt is shown only then).
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }
    /// Whether stderr is a terminal (progress bars are drawn only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// The width to fit tables to: the terminal's, else nil (no fitting when piped).
    static var width: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }

    /// Whether to colour stdout: a terminal, and `NO_COLOR` unset (no-color.org).
    static var colour: Bool {
        stdoutIsTerminal && ConfigurationReader.process().variable("NO_COLOR") == nil
    }

    /// Writes a line to stdout.
    static func output(_ text: String) {
        print(text)
    }

    /// Writes text as it is to stdout.
    static func write(_ text: String) {
        print(text, terminator: "")
    }

    /// Writes a line to stderr (messages, warnings, status changes).
    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Bold when colouring, else as is.
    static func bold(_ text: String) -> String {
        colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
