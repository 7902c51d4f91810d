import CairnArtifacts
import CairnCore
import Hummingbird
import Testing

@testable import CairnServer

/// The two-phase JSON decoding: a field of the wrong type is reported as MLflow reports it, with
/// the value as the request sent it.
@Suite struct RequestDecodingTests {
    struct Body: Decodable {
        let run_id: String?
        let value: FlexibleDouble?
        let timestamp: FlexibleInt64?
        let metrics: [MetricDTO]?
        let order_by: [String]?
    }

    static func message(_ json: String) -> CairnError? {
        #expect(throws: CairnError.self) { _ = try Request.decodeJSON(Body.self, from: Array(json.utf8)) }
    }

    @Test(
        arguments: [
            (#"{"run_id": 31}"#, #"Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int'."#),
            (#"{"value": "abc"}"#, #"Invalid value "abc" for parameter 'value' supplied:  Hint: Value was of type 'str'."#),
            (#"{"timestamp": "x"}"#, #"Invalid value "x" for parameter 'timestamp' supplied:  Hint: Value was of type 'str'."#),
            (#"{"metrics": {"a": 1}}"#, #"Invalid value {"a":1} for parameter 'metrics' supplied:  Hint: Value was of type 'dict'."#),
            (#"{"order_by": "name"}"#, #"Invalid value "name" for parameter 'order_by' supplied:  Hint: Value was of type 'str'."#),
            (
                #"{"metrics": [{"key": "m", "value": "x/y"}]}"#,
                #"Invalid value "x/y" for parameter 'metrics[0].value' supplied:  Hint: Value was of type 'str'."#
            ),
        ] as [(String, String)])
    func aWronglyTypedFieldIsQuotedAsSent(json: String, message: String) {
        let error = Self.message(json)
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message == message + MLflowMessages.apiDocsSuffix)
    }

    @Test func numericStringsAndEmptyBodiesStillDecode() throws {
        let body = try Request.decodeJSON(Body.self, from: Array(#"{"value": "2.5", "timestamp": "7"}"#.utf8))
        #expect(body.value?.value == 2.5 && body.timestamp?.value == 7)
        #expect(try Request.decodeJSON(Body.self, from: []).run_id == nil)
    }

    @Test(arguments: ["{", "nope", "{\"run_id\": }"])
    func aBodyThatIsNotJSONIsABadRequest(json: String) {
        let error = Self.message(json)
        #expect(error?.code == .badRequest)
        #expect(error?.message == "Malformed JSON request body")
    }

    @Test func jsonThatIsNotAnObjectIsAnInvalidParameter() {
        let error = Self.message("[1, 2]")
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message == "Malformed JSON request body: expected a JSON object")
    }

    @Test(arguments: ["../x", "..", "/etc", "dir/../dir", "a#b", "file:///etc", "%2e%2e/x", "%252e%252e", "C:/x", "\\\\server\\x"])
    func unsafeArtifactPathsAreJustInvalidPath(path: String) {
        let error = #expect(throws: CairnError.self) { _ = try ArtifactPath(validating: path) }
        #expect(error?.message == "Invalid path")
    }

    @Test(arguments: ["dir", "dir/", "./dir", "file:rel", "a%20b.txt", "100%"])
    func safeArtifactPathsPass(path: String) throws {
        _ = try ArtifactPath(validating: path)
    }

    @Test func proxiedLocationsMapToStorePaths() {
        #expect(ArtifactPath.proxied("mlflow-artifacts:/1/abc/artifacts")?.value == "1/abc/artifacts")
        #expect(ArtifactPath.proxied("mlflow-artifacts://host:5000/1/abc/artifacts")?.value == "1/abc/artifacts")
        #expect(ArtifactPath.proxied("s3://bucket/1/abc/artifacts") == nil)
        #expect(ArtifactPath.proxied("/abs/dir") == nil)
    }

    @Test func everyMLflowRouteIsMirroredUnderAjaxAPI() {
        #expect(RouteRegistrar.ajaxMirror(of: "/api/2.0/mlflow/runs/get") == "/ajax-api/2.0/mlflow/runs/get")
        #expect(RouteRegistrar.ajaxMirror(of: "/api/2.0/mlflow-artifacts/artifacts/**") == "/ajax-api/2.0/mlflow-artifacts/artifacts/**")
        #expect(RouteRegistrar.ajaxMirror(of: "/api/3.0/mlflow/server-info") == "/ajax-api/3.0/mlflow/server-info")
        #expect(RouteRegistrar.ajaxMirror(of: "/api/cairn/v1/audit") == nil)
        #expect(RouteRegistrar.ajaxMirror(of: "/health") == nil)
    }
}
