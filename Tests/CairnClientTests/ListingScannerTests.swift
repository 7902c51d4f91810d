import CairnCore
import Testing

@testable import CairnClient

@Suite struct ListingScannerTests {
    func page(_ text: String, key: String = "runs") throws -> ResultPage {
        try ResultPage(text: Array(text.utf8), key: key)
    }

    @Test func itemsKeepTheServersTextAndDecodeToTheSameObjects() throws {
        let text = #"""
            {"runs": [ {"info":{"run_id":"a","note":"brackets ] } [ { and \"quotes\""},"data":{"metrics":[{"key":"m","value":-1.5e-3}]}} ,
            {"info":{"run_id":"b"},"data":{}}], "next_page_token":"tok\u0065n"}
            """#
        let listing = try page(text)
        #expect(listing.count == 2)
        #expect(listing.nextPageToken == "token")
        let texts = listing.itemTexts
        #expect(texts[0].hasPrefix(#"{"info":{"run_id":"a","note":"brackets ] } [ { and \"quotes\""}"#))
        #expect(texts[1] == #"{"info":{"run_id":"b"},"data":{}}"#)
        let whole = try JSONValue(parsing: text)
        #expect(listing.items == whole["runs"]?.arrayValue)
        #expect(listing.prefix(1).itemTexts == [texts[0]])
    }

    @Test func anEmptyListingMayOmitTheArrayAndTheToken() throws {
        #expect(try page("{}").count == 0)
        #expect(try page(#"{"runs":[]}"#).count == 0)
        let other = try page(#"{"experiments":[{"experiment_id":"1"}],"next_page_token":""}"#, key: "experiments")
        #expect(other.count == 1)
        #expect(other.nextPageToken == nil)
    }

    @Test(arguments: [#"{"runs":[{"a":1}"#, #"{"runs":[{"a":"x]}"#, "[1,2]", #"{"runs":[{"a":1]]}"#, ""])
    func malformedTextIsRefused(_ text: String) {
        #expect(throws: ListingScanner.Malformed.self) { try page(text) }
    }
}
