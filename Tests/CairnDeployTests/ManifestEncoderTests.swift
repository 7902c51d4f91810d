import CairnCore
import CairnDeploy
import Testing

@Suite struct ManifestEncoderTests {
    @Test(arguments: [(0.5, "0.5"), (1.0, "1.0"), (-2.0, "-2.0"), (1e-05, "1.0e-05"), (1.5e20, "1.5e+20"), (0.1, "0.1"), (123.456, "123.456")])
    func decimalsAlwaysReadBackAsFloats(value: Double, text: String) {
        #expect(ManifestEncoder.formatDouble(value) == text)
    }

    @Test func jsonIsCompactAndOrdered() {
        let value: JSONValue = .object([.init("b", 1), .init("a", .array(["x", .null, true, .double(0.5)])), .init("c", .object([]))])
        #expect(ManifestEncoder.json(value) == #"{"b":1,"a":["x",null,true,0.5],"c":{}}"#)
        #expect(ManifestEncoder.prettyJSON(value) == "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    null,\n    true,\n    0.5\n  ],\n  \"c\": {}\n}")
        #expect(ManifestEncoder.json("quote \" backslash \\ newline \n tab \t nul \u{0}") == #""quote \" backslash \\ newline \n tab \t nul \u0000""#)
    }

    @Test func yamlQuotesAnythingAmbiguous() {
        let value: JSONValue = .object([
            .init("version", "7"), .init("yes", "yes"), .init("off", "off"), .init("null", "null"), .init("empty", ""),
            .init("uri", "s3://models/x"), .init("plain", "fraud-detector"), .init("key.with/slash", "A100"),
            .init("float", .double(0.5)), .init("int", 3), .init("bool", false), .init("cpu", "500m"), .init("lead", "-x"),
        ])
        #expect(
            ManifestEncoder.yaml(value) == """
                version: "7"
                "yes": "yes"
                "off": "off"
                "null": "null"
                empty: ""
                uri: "s3://models/x"
                plain: fraud-detector
                key.with/slash: A100
                float: 0.5
                int: 3
                bool: false
                cpu: "500m"
                lead: "-x"

                """)
    }

    @Test func yamlNestsListsOfObjects() {
        let value: JSONValue = .object([
            .init("containers", .array([.object([.init("name", "a"), .init("args", .array(["x", "y"])), .init("env", .array([]))])])),
            .init("volumes", .array([.object([.init("name", "m"), .init("emptyDir", .object([]))])])),
        ])
        #expect(
            ManifestEncoder.yaml(value) == """
                containers:
                  - name: a
                    args:
                      - x
                      - "y"
                    env: []
                volumes:
                  - name: m
                    emptyDir: {}

                """)
        #expect(ManifestEncoder.yamlStream([.object([.init("a", 1)]), .object([.init("b", 2)])]) == "a: 1\n---\nb: 2\n")
    }
}
