import CairnCore
import Foundation
import NIOConcurrencyHelpers

/// Runs an exec credential plugin with Foundation's `Process` on a Dispatch thread (never on an
/// event loop or the cooperative pool), with a deadline, and parses what it prints.
enum ExecCredentialRunner {
    /// The cluster passed in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    struct ClusterInfo: Sendable {
        var server: String
        var certificateAuthorityPEM: [UInt8]?
        var insecureSkipVerify: Bool
    }

    /// Runs the plugin once.
    /// - Throws: ``KubeError/Code/credentialPlugin`` when it cannot start, exits non-zero, times
    ///   out or prints no usable credential (its standard error is quoted).
    static func run(_ config: ExecCredentialConfig, cluster: ClusterInfo?, timeout: Duration) async throws -> ExecCredential {
        let outcome = try await execute(config, execInfo: execInfo(config, cluster: cluster), timeout: timeout)
        let hint = config.installHint.map { "\n\($0)" } ?? ""
        if outcome.timedOut {
            throw KubeError(.credentialPlugin, "exec plugin \(config.command) did not finish within \(timeout)")
        }
        guard outcome.status == 0 else {
            let stderr = String(decoding: outcome.stderr.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeError(
                .credentialPlugin, "exec plugin \(config.command) exited with status \(outcome.status): \(stderr)\(hint)")
        }
        return try ExecCredential.parse(outcome.stdout, expectedAPIVersion: config.apiVersion)
    }

    /// `KUBERNETES_EXEC_INFO`: an `ExecCredential` with `spec.interactive = false` (and the cluster).
    static func execInfo(_ config: ExecCredentialConfig, cluster: ClusterInfo?) -> String {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo, let cluster {
            var info: JSONValue = ["server": .string(cluster.server)]
            if cluster.insecureSkipVerify { info["insecure-skip-tls-verify"] = true }
            if let ca = cluster.certificateAuthorityPEM {
                info["certificate-authority-data"] = .string(Data(ca).base64EncodedString())
            }
            spec["cluster"] = info
        }
        let value: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
        return value.jsonString
    }

    private struct Outcome: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var timedOut: Bool
    }

    /// `Process` is not Sendable. It is configured in ``execute(_:execInfo:timeout:)`` before any
    /// other thread can see it, then touched only from the Dispatch work items there: the one that
    /// runs it, reads its output and waits for its exit, and the deadline's, which may call
    /// `isRunning` and `terminate()` meanwhile (both safe from another thread in Foundation).
    private final class ProcessBox: @unchecked Sendable {
        let process = Process()
        let stdout = Pipe()
        let stderr = Pipe()
    }

    private static func execute(_ config: ExecCredentialConfig, execInfo: String, timeout: Duration) async throws -> Outcome {
        let box = ProcessBox()
        let process = box.process
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [config.command] + config.arguments
        var environment = config.inheritedEnvironment
        for variable in config.environment { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo
        process.environment = environment
        process.standardOutput = box.stdout
        process.standardError = box.stderr
        process.standardInput = FileHandle.nullDevice
        let errorOutput = NIOLockedValueBox(Data())
        let resumed = NIOLockedValueBox(false)

        return try await withCheckedThrowingContinuation { continuation in
            // Resumes once: on exit, or at the deadline even if a grandchild still holds the pipes.
            let finish: @Sendable (Result<Outcome, any Error>) -> Void = { result in
                let first = resumed.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            DispatchQueue.global().async {
                do {
                    try box.process.run()
                } catch {
                    finish(.failure(KubeError(.credentialPlugin, "cannot start exec plugin \(config.command): \(error)")))
                    return
                }
                let killer = DispatchWorkItem {
                    guard box.process.isRunning else { return }
                    box.process.terminate()
                    finish(.success(Outcome(status: -1, stdout: Data(), stderr: Data(), timedOut: true)))
                    DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                        if box.process.isRunning { kill(box.process.processIdentifier, SIGKILL) }
                    }
                }
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
                let readers = DispatchGroup()
                readers.enter()
                DispatchQueue.global().async {
                    let data = box.stderr.fileHandleForReading.readDataToEndOfFile()
                    errorOutput.withLockedValue { $0 = data }
                    readers.leave()
                }
                let output = box.stdout.fileHandleForReading.readDataToEndOfFile()
                readers.wait()
                box.process.waitUntilExit()
                killer.cancel()
                finish(
                    .success(
                        Outcome(
                            status: box.process.terminationStatus, stdout: output, stderr: errorOutput.withLockedValue { $0 },
                            timedOut: false)))
            }
        }
    }
}
