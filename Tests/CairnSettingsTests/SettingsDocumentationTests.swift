import CairnSettings
import Foundation
import Testing

@Suite struct SettingsDocumentationTests {
    @Test func aReadmeWithCurrentTablesIsNotOutdated() {
        let readme = Setting.Group.allCases.map { "intro\n<!-- settings:\($0.rawValue) -->\nold\n<!-- /settings:\($0.rawValue) -->\n" }.joined()
        #expect(Set(SettingsDocumentation.outdatedGroups(in: readme)) == Set(Setting.Group.allCases))
        let updated = SettingsDocumentation.updating(readme)
        #expect(SettingsDocumentation.outdatedGroups(in: updated).isEmpty)
        #expect(updated.contains("| `--port` | `CAIRN_PORT` | `5000` |"))
        #expect(updated.contains("intro"))
        #expect(!updated.contains("old"))
    }

    @Test func aMissingTableCountsAsOutdated() {
        #expect(SettingsDocumentation.outdatedGroups(in: "no markers") == Setting.Group.allCases)
    }

    @Test func aChangedRowIsFound() {
        let readme = Setting.Group.allCases.map {
            "<!-- settings:\($0.rawValue) -->\n\(SettingsDocumentation.table($0))\n<!-- /settings:\($0.rawValue) -->"
        }
        .joined(separator: "\n")
        #expect(SettingsDocumentation.outdatedGroups(in: readme).isEmpty)
        let edited = readme.replacingOccurrences(of: "`5000`", with: "`8080`")
        #expect(SettingsDocumentation.outdatedGroups(in: edited) == [.server])
    }
}
