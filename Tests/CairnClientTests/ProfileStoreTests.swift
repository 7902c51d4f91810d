import CairnClient
import Foundation
import Testing

@Suite struct ProfileStoreTests {
    @Test func aSavedProfileReadsBackAndOnlyItsOwnerCanReadIt() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-profiles-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = ProfileStore(environment: ["XDG_CONFIG_HOME": home])
        #expect(store.path == home + "/cairn/profiles.json")
        #expect(try store.load().isEmpty)
        try store.save(.init(trackingURI: "https://cairn.example", token: "cairn_secret"), name: "prod")
        try store.save(.init(trackingURI: "http://127.0.0.1:5000", token: nil), name: "default")
        #expect(try store.profile(named: "prod") == .init(trackingURI: "https://cairn.example", token: "cairn_secret"))
        #expect(try store.profile(named: "default")?.settingValues == ["tracking-uri": "http://127.0.0.1:5000"])
        let file = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        let directory = try FileManager.default.attributesOfItem(atPath: home + "/cairn")[.posixPermissions] as? Int
        #expect(file == 0o600)
        #expect(directory == 0o700)
    }

    @Test func withoutXDGConfigHomeProfilesLiveUnderHome() {
        #expect(ProfileStore(environment: ["HOME": "/home/ml"]).path == "/home/ml/.config/cairn/profiles.json")
    }

    @Test func aCorruptFileIsAUsageErrorNamingTheFile() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-profiles-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/cairn", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: home + "/cairn/profiles.json"))
        let store = ProfileStore(environment: ["XDG_CONFIG_HOME": home])
        #expect {
            _ = try store.load()
        } throws: { error in
            (error as? ClientError)?.kind == .usage && String(describing: error).contains(store.path)
        }
    }
}
