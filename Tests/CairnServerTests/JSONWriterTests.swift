import Testing

@testable import CairnServer

@Suite struct JSONWriterTests {
    func text(_ writer: JSONWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }

    @Test func nestedObjectsAndArraysAreSeparatedByCommas() {
        let writer = JSONWriter.object { w in
            w.field("a", "x")
            w.object("b") { w in
                w.field("c", Int64(1))
                w.field("d", true)
            }
            w.array("e", [1.5, 2.0]) { w, v in
                w.beginObject()
                w.field("v", v)
                w.endObject()
            }
            w.field("f", "y")
        }
        #expect(text(writer) == #"{"a":"x","b":{"c":1,"d":true},"e":[{"v":1.5},{"v":2.0}],"f":"y"}"#)
    }

    @Test func emptyListsAndNilFieldsAreOmitted() {
        let writer = JSONWriter.object { w in
            w.array("metrics", [Int]()) { _, _ in }
            w.field("next_page_token", String?.none)
            w.field("end_time", Int64?.none)
        }
        #expect(text(writer) == "{}")
    }

    @Test func nonFiniteDoublesAreWrittenAsMLflowStrings() {
        let writer = JSONWriter.object { w in
            w.field("a", Double.nan)
            w.field("b", Double.infinity)
            w.field("c", -Double.infinity)
            w.field("d", 1e-7)
        }
        #expect(text(writer) == #"{"a":"NaN","b":"Infinity","c":"-Infinity","d":1e-07}"#)
    }

    @Test func stringsAreEscaped() {
        let writer = JSONWriter.object { w in w.field("s", "q\"b\\n\nt\t\u{01}é") }
        #expect(text(writer) == #"{"s":"q\"b\\n\nt\t\u0001é"}"#)
    }
}
