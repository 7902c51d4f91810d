import CairnCore
import Foundation
import Testing

struct PageTokenTests {
    @Test func encodesMLflowsBase64JSON() {
        #expect(PageToken.encode(offset: 100) == "eyJvZmZzZXQiOiAxMDB9")
        #expect(String(decoding: Data(base64Encoded: PageToken.encode(offset: 7))!, as: UTF8.self) == "{\"offset\": 7}")
    }

    /// A page's keyset token is the same text every time: its JSON keys are sorted.
    @Test func aKeysetTokenIsTheSameTextEveryTime() async {
        let token = KeysetPageToken(keyset: [.double(0.5), .int(7), .text("r")], search: "abc")
        // Encoded on many threads at once, as a server's requests are (an encoder's key order
        // varied from request to request there).
        let texts = await withTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { token.encoded() } }
            return await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(texts.count == 1)
        #expect(
            texts.first.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
                == #"{"keyset":["d:0.5","i:7","s:r"],"search":"abc"}"#)
    }

    /// The token is written without `JSONEncoder` but is the text it writes (sorted keys, its
    /// escapes), so tokens handed out before still equal the new ones, and it reads back.
    @Test func aKeysetTokenIsTheTextJSONEncoderWritesAndReadsBack() throws {
        struct Payload: Encodable {
            var keyset: [String]
            var search: String
        }
        let everyASCII = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        let texts = [everyASCII, "a/b\\c\"d", "é 雨 🌧 \u{2028}\u{2029}", "", "s:'quoted' `key`"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for text in texts {
            let keyset: [KeysetPageToken.Value] = [.text(text), .double(-0.1), .int(Int64.min), .null]
            let token = KeysetPageToken(keyset: keyset, search: text)
            let expected = try encoder.encode(Payload(keyset: ["s:" + text, "d:-0.1", "i:\(Int64.min)", "n"], search: text))
            #expect(Data(base64Encoded: token.encoded()) == expected, "\(text.debugDescription)")
            #expect(try KeysetPageToken.decode(token.encoded(), search: text, count: 4) == keyset)
        }
    }

    @Test(arguments: [0, 1, 1000, 50_000, Int(Int32.max)])
    func roundTrips(offset: Int) throws {
        #expect(try PageToken.decodeOffset(PageToken.encode(offset: offset)) == offset)
    }

    @Test(arguments: [nil, ""] as [String?])
    func missingTokenMeansTheFirstPage(token: String?) throws {
        #expect(try PageToken.decodeOffset(token) == 0)
    }

    /// Padding is required, as Python's `base64.b64decode` requires it in MLflow (issue 12).
    @Test func refusesUnpaddedTokensAndAcceptsStringOffsets() throws {
        let error = #expect(throws: CairnError.self) { try PageToken.decodeOffset("eyJvZmZzZXQiOiAxMH0") }
        #expect(error?.message == "Invalid page token, could not base64-decode")
        #expect(try PageToken.decodeOffset("eyJvZmZzZXQiOiAxMH0=") == 10)
        let stringOffset = Data("{\"offset\": \"12\"}".utf8).base64EncodedString()
        #expect(try PageToken.decodeOffset(stringOffset) == 12)
    }

    @Test(arguments: [
        "garbage!!", "%%%%",
        Data("not json".utf8).base64EncodedString(),
        Data("{}".utf8).base64EncodedString(),
        Data("{\"offset\": \"ten\"}".utf8).base64EncodedString(),
        Data("{\"offset\": 1.5}".utf8).base64EncodedString(),
        Data("{\"offset\": -1}".utf8).base64EncodedString(),
        Data("{\"offset\": 9223372036854775807}".utf8).base64EncodedString(),
        PageToken.encode(offset: Int(Int32.max) + 1),
        Data("[1]".utf8).base64EncodedString(),
    ])
    func garbageNegativeOrHugeTokensAreInvalidParameter(token: String) {
        let error = #expect(throws: CairnError.self) { try PageToken.decodeOffset(token) }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.hasPrefix("Invalid page token") == true)
    }
}
