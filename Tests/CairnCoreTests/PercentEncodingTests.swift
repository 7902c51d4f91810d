import CairnCore
import Testing

@Suite struct PercentEncodingTests {
    @Test func escapesAreDecodedInEitherCase() {
        #expect(PercentEncoding.decode("a%2Fb%2fc%20d") == "a/b/c d")
        #expect(PercentEncoding.strictDecode("caf%C3%A9") == "café")
        #expect(PercentEncoding.decode("plain") == "plain")
    }

    @Test func malformedEscapesAreNilWhenStrictAndKeptOtherwise() {
        for text in ["%", "ab%4", "%zz", "%G1"] {
            #expect(PercentEncoding.strictDecode(text) == nil, "\(text)")
            #expect(PercentEncoding.decode(text) == text, "\(text)")
        }
        #expect(PercentEncoding.strictDecode("%FF") == nil, "not UTF-8")
        #expect(PercentEncoding.decode("%FF") == "\u{FFFD}")
        #expect(PercentEncoding.strictDecode("%252e%252e") == "%2e%2e", "one level at a time")
    }

    @Test func constantTimeEqualityComparesWholeContents() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }
}
