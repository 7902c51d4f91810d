import CairnArtifacts
import Foundation
import Testing

/// A private SeaweedFS (`weed mini`) for tests that stop the S3 server on purpose; started from
/// CAIRN_TEST_S3_WEED with the same credentials as the shared one.
final class S3ServerProcess {
    let directory: URL
    let port: Int
    private var process: Process?

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-s3-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        port = Int.random(in: 50000...54999)
        let identities = """
            {"identities":[{"name":"admin","credentials":[{"accessKey":"\(S3TestEnvironment.credentials.accessKeyID)","secretKey":"\(S3TestEnvironment.credentials.secretAccessKey)"}],"actions":["Admin","Read","List","Tagging","Write"]}]}
            """
        try identities.write(to: directory.appendingPathComponent("s3.json"), atomically: true, encoding: .utf8)
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts (or restarts, on the same data) and waits until the S3 port answers.
    func start() async throws {
        let weed = try #require(ProcessInfo.processInfo.environment["CAIRN_TEST_S3_WEED"], "CAIRN_TEST_S3_WEED is not set")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: weed)
        let d = directory.path
        // Ports: S3 on `port`, the rest at fixed offsets from it (all within 50000-60999).
        process.arguments = [
            "mini", "-dir=\(d)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3.port=\(port)", "-s3.port.grpc=\(port + 1000)",
            "-s3.config=\(d)/s3.json", "-master.port=\(port + 2000)", "-master.port.grpc=\(port + 3000)", "-volume.port=\(port + 4000)",
            "-volume.port.grpc=\(port + 5000)", "-filer.port=\(port + 6000)", "-filer.port.grpc=\(port + 7000)",
            "-admin.port=\(port + 8000)", "-admin.port.grpc=\(port + 9000)", "-admin.ui=false", "-s3.localSocket=\(d)/s3.sock",
            "-filer.localSocket=\(d)/filer.sock", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<300 {
            if let probe = try? await HTTPProbe.get(endpoint + "/"), probe.status == 403 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        Issue.record("private SeaweedFS did not start on \(endpoint)")
        throw CancellationError()
    }

    /// Kills the server at once (SIGKILL: no graceful drain) and waits for it to exit.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
