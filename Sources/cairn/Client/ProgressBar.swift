import CairnClient
import CairnCore
import Foundation

/// Draws a transfer's progress on stderr, redrawn in place ten times a second: percentage, a
/// bar, bytes, rate and time left, and files. Draws nothing when stderr is not a terminal, so CI
/// logs get no progress noise.
struct ProgressBar {
    let progress: TransferProgress
    let verb: String

    /// Runs `body` while the bar redraws; the bar ends with a summary line.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        guard Terminal.stderrIsTerminal else { return try await body() }
        let started = ContinuousClock.now
        let drawer = Task {
            while !Task.isCancelled {
                draw(elapsed: ContinuousClock.now - started, final: false)
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { drawer.cancel() }
        do {
            let result = try await body()
            drawer.cancel()
            _ = await drawer.result
            draw(elapsed: ContinuousClock.now - started, final: true)
            return result
        } catch {
            drawer.cancel()
            _ = await drawer.result
            FileHandle.standardError.write(Data("\n".utf8))
            throw error
        }
    }

    private func draw(elapsed: Duration, final: Bool) {
        let (done, total, filesDone, files) = progress.snapshot
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rate = Double(done) / seconds
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = rate > 0 && total > done ? " ETA \(Format.duration(milliseconds: Int64(Double(total - done) / rate * 1000)))" : ""
        let line =
            "\(verb) \(String(format: "%3d%%", Int(fraction * 100))) \(bar) \(ByteCount.format(done)) / \(ByteCount.format(total))  \(ByteCount.format(Int64(rate)))/s\(final ? "" : eta)  \(filesDone)/\(files) files"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
    }
}
