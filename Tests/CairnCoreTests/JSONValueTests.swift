import CairnCore
import Testing

@Suite struct JSONValueTests {
    @Test func parsingKeepsMemberOrder() throws {
        let value = try JSONValue(parsing: #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"a","labels":{"z":"1","a":"2"}}}"#)
        #expect(value.keys == ["kind", "apiVersion", "metadata"])
        #expect(value[path: "metadata", "labels"]?.keys == ["z", "a"])
        #expect(value.jsonText() == #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"a","labels":{"z":"1","a":"2"}}}"#)
        #expect(value.jsonString == #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"a":"2","z":"1"},"name":"a"}}"#)
    }

    @Test func numbersReadAsJSONDecoderReadThem() throws {
        let cases: [(String, JSONValue)] = [
            ("1", .int(1)), ("-0", .int(0)), ("1.0", .int(1)), ("1e2", .int(100)), ("2.0e0", .int(2)), ("1.5", .double(1.5)),
            ("0.1", .double(0.1)), ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)), ("1e-05", .double(1e-05)),
        ]
        for (text, expected) in cases {
            #expect(try JSONValue(parsing: text) == expected, "\(text)")
        }
        #expect(try JSONValue(parsing: "2").intValue == 2)
        #expect(JSONValue.double(3).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
    }

    @Test func stringsDecodeEscapesAndUnicode() throws {
        #expect(try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀"))
        #expect(try JSONValue(parsing: #""café ✓""#) == "café ✓")
        #expect(try JSONValue(parsing: Array("\u{FEFF} [true, false, null] ".utf8)) == [true, false, .null])
    }

    @Test(arguments: [
        "", "   ", "01", "-", "1.", ".5", "1e", "+1", "1e400", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "\"abc", "\"a\u{1}\"",
        #""\ud800""#, #""\udc00""#, #""\u12""#, #""\x""#, "tru", "nul", "1 2", "{}}", "[",
    ])
    func malformedTextIsRefused(text: String) {
        let error = #expect(throws: CairnError.self) { try JSONValue(parsing: text) }
        #expect(error?.code == .badRequest)
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: CairnError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
        #expect(throws: CairnError.self) { try JSONValue(parsing: String(repeating: "[", count: 513) + String(repeating: "]", count: 513)) }
        #expect((try? JSONValue(parsing: String(repeating: "[", count: 512) + String(repeating: "]", count: 512))) != nil)
    }

    @Test func aRepeatedKeyReadsItsFirstValue() throws {
        let value = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#)
        #expect(value.keys == ["a", "b"])
        #expect(value["a"] == 1)
        let literal: JSONValue = ["a": 1, "b": 2, "a": 3]
        #expect(literal.keys == ["a", "b"] && literal["a"] == 3)
    }

    @Test func objectsAreEqualInAnyMemberOrder() throws {
        let rendered: JSONValue = .fields(["b": 1, "a": .fields(["x": true, "y": nil])])
        let parsed = try JSONValue(parsing: #"{"a":{"x":true},"b":1}"#)
        #expect(rendered == parsed)
        #expect(rendered.hashValue == parsed.hashValue)
        #expect(Set([rendered, parsed]).count == 1)
        #expect(rendered != ["a": ["x": true], "b": 2])
        #expect(rendered != ["a": ["x": true], "b": 1, "c": .null])
        #expect(JSONValue.int(1) != .double(1))
        #expect(JSONValue.array([1, 2]) != [2, 1], "arrays keep their order")
    }

    @Test func subscriptSetsReplacesAppendsAndRemoves() {
        var value: JSONValue = ["kind": "ConfigMap", "metadata": ["name": "a"], "data": [:]]
        value["metadata"]?["namespace"] = "ml"
        value["kind"] = "Secret"
        value["data"] = nil
        value["type"] = "Opaque"
        #expect(value.jsonText() == #"{"kind":"Secret","metadata":{"name":"a","namespace":"ml"},"type":"Opaque"}"#)
        value["missing"]?["x"] = 1
        #expect(value["missing"] == nil)
        var scalar: JSONValue = "text"
        scalar["x"] = 1
        #expect(scalar == "text")
    }

    @Test func textFormats() {
        let value: JSONValue = .object([.init("b", 1), .init("a", .array(["x", .null, true, .double(0.5)])), .init("c", .object([]))])
        #expect(value.jsonText() == #"{"b":1,"a":["x",null,true,0.5],"c":{}}"#)
        #expect(value.jsonText(.sortedKeys) == #"{"a":["x",null,true,0.5],"b":1,"c":{}}"#)
        #expect(value.jsonText(.pretty) == "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    null,\n    true,\n    0.5\n  ],\n  \"c\": {}\n}")
        #expect(JSONValue.array([.double(.nan), .double(.infinity), .double(1e-05), .double(2)]).jsonText() == "[null,null,1.0e-05,2.0]")
        #expect(JSONValue.quoted("a/b \u{8} \u{7F} \u{2028}") == #""a/b \u0008 \u007f \u2028""#)
    }

    @Test func textRoundTrips() throws {
        let value: JSONValue = [
            "s": "quote \" backslash \\ newline \n nul \u{0} é 😀", "i": .int(.min), "d": .double(-1.5e-300), "n": .null,
            "a": [[], [:], [1, [2, [3]]]], "b": false,
        ]
        for format in [JSONValue.TextFormat.compact, .pretty, .sortedKeys] {
            let text = value.jsonText(format)
            #expect(try JSONValue(parsing: text) == value, "\(text)")
        }
        #expect(try JSONValue(parsing: value.jsonText()).jsonText() == value.jsonText(), "order survives the compact text")
    }

    @Test func helpers() {
        #expect(JSONValue.sortedStrings(["b": "2", "a": "1"]).jsonText() == #"{"a":"1","b":"2"}"#)
        #expect(JSONValue.fields(["x": nil, "y": 1]).keys == ["y"])
        #expect(JSONValue.array([]).isEmptyCollection && JSONValue.object([]).isEmptyCollection && !JSONValue.null.isEmptyCollection)
        #expect(JSONValue.bool(true).boolValue == true && JSONValue.string("x").boolValue == nil)
        #expect(JSONValue.string("x").stringValue == "x" && JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1] && JSONValue.object([]).objectValue == [])
        #expect(JSONValue.string("x").keys.isEmpty)
    }
}
