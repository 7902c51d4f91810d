import CairnCore
import Foundation
import Testing

@testable import CairnKube

#if canImport(Glibc)
import Glibc
#endif

/// Failures that need no API server: every one must end in a typed error, quickly, never a hang.
@Suite struct TransportFailureTests {
    static func client(server: String, timeout: Duration = .seconds(2)) throws -> KubernetesClient {
        var configuration = KubernetesClient.Configuration()
        configuration.requestTimeout = timeout
        configuration.connectTimeout = timeout
        let config = try KubeConfig(server: server, credentials: KubeCredentials(bearerToken: .literal("t")))
        return try KubernetesClient(config: config, configuration: configuration)
    }

    @Test func refusedConnectionIsUnreachableAtOnce() async throws {
        let client = try Self.client(server: "https://127.0.0.1:1", timeout: .seconds(20))
        let start = ContinuousClock.now
        let error = await #expect(throws: KubeError.self) { try await client.get(.configMap, namespace: "default", name: "x") }
        #expect(error?.code == .unreachable, "\(String(describing: error))")
        #expect(error?.message.contains("https://127.0.0.1:1") == true)
        #expect(ContinuousClock.now - start < .seconds(10), "must not wait for the 20 s deadline")
        try await client.shutdown()
    }

    @Test func silentServerTimesOut() async throws {
        // A socket that listens but never answers: TCP connects, the TLS handshake never completes.
        let listener = try SilentListener()
        defer { listener.close() }
        let client = try Self.client(server: "https://127.0.0.1:\(listener.port)", timeout: .seconds(1))
        let start = ContinuousClock.now
        let error = await #expect(throws: KubeError.self) { try await client.get(.configMap, namespace: "default", name: "x") }
        #expect(error?.code == .timeout, "\(String(describing: error))")
        #expect(ContinuousClock.now - start < .seconds(15))  // the error code says it was the 1 s timeout
        try await client.shutdown()
    }

    @Test func credentialsAreNeverSentOverPlainHTTP() throws {
        let config = try KubeConfig(server: "http://127.0.0.1:8080", credentials: KubeCredentials(bearerToken: .literal("t")))
        let error = #expect(throws: KubeError.self) { try KubernetesClient(config: config) }
        #expect(error?.message.contains("refusing to send credentials over plain http") == true)
    }

    @Test func applyRefusesManifestsWithoutIdentity() async throws {
        let client = try Self.client(server: "https://127.0.0.1:1")
        let cases: [(JSONValue, String)] = [
            (["kind": "ConfigMap", "metadata": ["name": "x"]], "no apiVersion"),
            (["apiVersion": "v1", "metadata": ["name": "x"]], "no kind"),
            (["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]], "no metadata.name"),
            (["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x", "managedFields": []]], "managedFields"),
            (["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "Bad_Name"]], "not a valid Kubernetes name"),
        ]
        for (manifest, expected) in cases {
            let error = await #expect(throws: KubeError.self) { try await client.apply(manifest) }
            #expect(error?.code == .invalidManifest)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
        let badManager = await #expect(throws: KubeError.self) {
            try await client.apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]], fieldManager: "")
        }
        #expect(badManager?.code == .invalidManifest)
        try await client.shutdown()
    }
}

/// A TCP socket on 127.0.0.1 that accepts into its backlog and never reads or writes.
final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(fd)
            throw KubeError(.unreachable, "cannot open a listening socket")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
