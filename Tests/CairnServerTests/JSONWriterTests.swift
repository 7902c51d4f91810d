import CairnCore
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

    @Test func integersAreWrittenExactlyAtTheExtremes() {
        let writer = JSONWriter.object { w in
            for (index, value) in [Int64.min, -1, 0, 7, 1_764_000_000_123, Int64.max].enumerated() { w.field("i\(index)", value) }
            w.field("d", -3.0)
        }
        #expect(text(writer) == #"{"i0":-9223372036854775808,"i1":-1,"i2":0,"i3":7,"i4":1764000000123,"i5":9223372036854775807,"d":-3.0}"#)
    }

    @Test func aMetricHistoryIsWrittenExactlyAsPointByPoint() {
        let key = "val/\"loss\"é"
        let points = [
            Metric(key: key, value: 0.25, timestamp: 1_764_000_000_000, step: 0), Metric(key: key, value: .nan, timestamp: -5, step: -1),
            Metric(key: key, value: -.infinity, timestamp: 3, step: Int64.max), Metric(key: key, value: 42, timestamp: 4, step: 3),
            Metric(key: key, value: 1e-7, timestamp: 5, step: 4, runID: "r1"),
        ]
        let fast = JSONWriter.object { w in w.metricHistory("metrics", points, key: key) }
        let generic = JSONWriter.object { w in w.array("metrics", points) { w, m in w.metric(m) } }
        #expect(text(fast) == text(generic))
        #expect(text(JSONWriter.object { w in w.metricHistory("metrics", [], key: key) }) == "{}")
    }
}
