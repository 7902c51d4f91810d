import CairnCore
import Foundation
import Hummingbird
import Testing

@testable import CairnServer

/// The log-batch and log-metric fast paths must decode exactly what `JSONDecoder` decodes, and
/// step aside (return nil) for everything outside their plain shape.
@Suite struct LogBatchFastDecoderTests {
    /// A comparable rendering of a decoded body, through the same conversions the handler uses.
    static func describe(_ body: RunsController.BatchBody) -> String {
        let metrics = (body.metrics ?? []).map { m in
            "\(m.key ?? "nil")|\(m.value.map { $0.value.bitPattern } ?? 0)|\(m.timestamp?.value ?? -1)|\(m.step?.value ?? -1)|\(m.model_id ?? "nil")|\(m.dataset_name ?? "nil")|\(m.dataset_digest ?? "nil")|\(m.run_id ?? "nil")"
        }
        let pairs = { (items: [KeyValueDTO]?) in (items ?? []).map { "\($0.key ?? "nil")=\($0.value?.value ?? "nil")" } }
        return "\(body.run_id ?? "nil")/\(body.run_uuid ?? "nil")/\(body.metrics == nil)/\(metrics)/\(pairs(body.params))/\(pairs(body.tags))"
    }

    static func general(_ text: String) throws -> RunsController.BatchBody {
        try Request.decodeJSON(RunsController.BatchBody.self, from: Array(text.utf8))
    }

    @Test(arguments: [
        #"{"run_id":"abc","metrics":[{"key":"loss","value":0.5,"timestamp":1764000000000,"step":3}]}"#,
        #" { "run_uuid" : "r" , "metrics" : [ { "key" : "a/b c" , "value" : -1.25e-7 , "timestamp" : 0 , "step" : -4 } ] } "#,
        #"{"run_id":"r","metrics":[],"params":[{"key":"lr","value":"0.01"}],"tags":[{"key":"t","value":"é ü"}]}"#,
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":5,"model_id":"m-1","dataset_name":null,"step":null}]}"#,
        #"{"run_id":null,"run_uuid":"r","metrics":null,"tags":[]}"#,
        #"{"run_id":"r","metrics":[{"key":"k","value":0.1,"timestamp":1},{"key":"k","value":12345678901234567890,"timestamp":2,"step":9223372036854775807}]}"#,
        #"{}"#,
        // integers read from their bytes: the Int64 limits, zero and negative zero
        #"{"run_id":"r","metrics":[{"key":"k","value":0,"timestamp":-9223372036854775808,"step":0},{"key":"k","value":-0.0,"timestamp":-0,"step":-1}]}"#,
        #"{"metrics":[{"step":9223372036854775807,"timestamp":10,"value":2,"key":"k"}],"run_id":"r"}"#,
        // numbers at the edges of Double, read by strtod as by Double(String)
        #"{"run_id":"r","metrics":[{"key":"k","value":1.7976931348623157e308,"timestamp":1},{"key":"k","value":0.30000000000000004,"timestamp":1},{"key":"k","value":123456789012345678901234567890.5,"timestamp":1},{"key":"k","value":2.2250738585072011e-308 ,"timestamp":1},{"key":"k","value":5e-324,"timestamp":1},{"key":"k","value":-0,"timestamp":1}]}"#,
        #"{"run_id":"r","metrics":[{"key":"k","timestamp":1,"value":0.1}]}"#,
        // keys reused from earlier points: same length and end bytes (one slot of the key
        // cache), the empty key, multi-byte keys
        #"{"run_id":"r","metrics":[{"key":"a1z","value":1,"timestamp":1},{"key":"a2z","value":2,"timestamp":1},{"key":"a1z","value":3,"timestamp":2},{"key":"","value":4,"timestamp":1},{"key":"a2z","value":5,"timestamp":2},{"key":"","value":6,"timestamp":2},{"key":"é1é","value":7,"timestamp":1},{"key":"é2é","value":8,"timestamp":1},{"key":"é1é","value":9,"timestamp":2}]}"#,
    ])
    func plainBodiesDecodeExactlyAsJSONDecoderDoes(_ text: String) throws {
        let fast = try #require(LogBatchFastDecoder.decode(Array(text.utf8)), "the fast path should take \(text)")
        #expect(Self.describe(fast) == Self.describe(try Self.general(text)))
    }

    @Test(arguments: [
        #"{"run_id":"r\"x","metrics":[]}"#,  // an escape
        #"{"run_id":"r","extra":1}"#,  // an unknown key
        #"{"run_id":"r","run_id":"s"}"#,  // a repeated key
        #"{"run_id":"r","metrics":[{"key":"k","value":"NaN","timestamp":1}]}"#,  // a string value
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":1.0}]}"#,  // a fractional timestamp
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":99999999999999999999}]}"#,  // beyond Int64
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":9223372036854775808}]}"#,  // Int64.max + 1
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":-9223372036854775809}]}"#,  // Int64.min - 1
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":1e3}]}"#,  // an exponent
        #"{"run_id":"r","metrics":[{"key":"k","value":1,"timestamp":-}]}"#,  // a sign alone
        #"{"run_id":"r","metrics":[{"key":"k","key":"j","value":1,"timestamp":1}]}"#,  // a repeated member name
        #"{"run_id":"r","metrics":[{"k\u0065y":"k","value":1,"timestamp":1}]}"#,  // an escaped member name
        #"{"run_id":"r","metrics":[{"key":"k","value":1e400,"timestamp":1}]}"#,  // beyond Double
        #"{"run_id":"r","metrics":[{"key":"k","value":0x10,"timestamp":1}]}"#,  // hexadecimal, which strtod would read
        #"{"run_id":"r","metrics":[{"key":"k","value":1.5"#,  // a number at the end of the body
        #"{"run_id":"r","metrics":[{"key":"k","value":01,"timestamp":1}]}"#,  // not JSON
        #"{"run_id":"r","params":[{"key":"k","value":3}]}"#,  // a number as a param value
        #"{"run_id":"r"} trailing"#, #"{"run_id":"r""#, #"[]"#, "", #"{"run_id":"r","metrics":[{"key":"k","value":-,"timestamp":1}]}"#,
        #"{"run_id":"r","metrics":[{"key":true,"value":1,"timestamp":1}]}"#, "{\"run_id\":\"a\u{01}b\"}",
    ])
    func anythingElseIsLeftToTheGeneralPath(_ text: String) {
        #expect(LogBatchFastDecoder.decode(Array(text.utf8)) == nil, "\(text)")
    }

    /// A `log-metric` body through the fast path, rendered as a batch of that one metric.
    static func metricBody(_ metric: MetricDTO) -> RunsController.BatchBody {
        RunsController.BatchBody(run_id: metric.run_id, run_uuid: metric.run_uuid, metrics: [metric], params: nil, tags: nil)
    }

    @Test(arguments: [
        #"{"run_id":"abc","key":"loss","value":0.5,"timestamp":1764000000000,"step":3}"#,
        #" { "run_uuid" : "r" , "key" : "a/b c" , "value" : -1.25e-7 , "timestamp" : 0 } "#,
        #"{"run_id":"r","key":"k","value":1,"timestamp":5,"model_id":"m-1","dataset_name":null,"step":null,"dataset_digest":"d"}"#,
        #"{"step":9223372036854775807,"timestamp":-9223372036854775808,"value":-0.0,"key":"k","run_id":"r"}"#,
        #"{}"#,
    ])
    func plainMetricBodiesDecodeExactlyAsJSONDecoderDoes(_ text: String) throws {
        let fast = try #require(LogBatchFastDecoder.decodeMetric(Array(text.utf8)), "the fast path should take \(text)")
        let general = try Request.decodeJSON(MetricDTO.self, from: Array(text.utf8))
        #expect(Self.describe(Self.metricBody(fast)) == Self.describe(Self.metricBody(general)))
    }

    @Test(arguments: [
        #"{"run_id":"r","key":"k","value":1,"timestamp":1,"extra":1}"#,  // an unknown key (JSONDecoder ignores it)
        #"{"run_id":"r","key":"k","value":"NaN","timestamp":1}"#,  // a string value
        #"{"run_id":"r","key":"k","value":1,"timestamp":1.5}"#,  // a fractional timestamp
        #"{"run_id":"r\"x","key":"k","value":1,"timestamp":1}"#,  // an escape
        #"{"run_id":"r","key":"k","value":1,"timestamp":1} trailing"#, #"{"run_id":"r""#, #"[]"#, "",
        #"{"run_id":"r","metrics":[]}"#,  // a batch's member
    ])
    func anythingElseInALogMetricBodyIsLeftToTheGeneralPath(_ text: String) {
        #expect(LogBatchFastDecoder.decodeMetric(Array(text.utf8)) == nil, "\(text)")
    }

    @Test func invalidUTF8IsLeftToTheGeneralPath() {
        var bytes = Array(#"{"run_id":""#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}"#.utf8)
        #expect(LogBatchFastDecoder.decode(bytes) == nil)
    }
}
