import CairnCore

/// Reads the common shape of a `runs/log-batch` body without `JSONDecoder`, which the ingest
/// benchmark profiled at about 60 % of Cairn's CPU per request.
///
/// It accepts only the plain, well-formed case the clients send: a top-level object with
/// `run_id`/`run_uuid` strings and `metrics` (objects with a string `key`, a number `value`,
/// integer `timestamp` and `step`, optional string `model_id`, `dataset_name`, `dataset_digest`,
/// `run_id`, `run_uuid`), `params` and `tags` (objects with string `key` and `value`); `null`
/// counts as absent. Anything else — another type, an unknown or repeated key, a string with an
/// escape, a number that is not plain, malformed JSON — returns `nil`, and the caller decodes with
/// `JSONDecoder` as before. So this fast path can never accept a body differently, or answer with
/// another error, than the general path does; it only skips the general path's cost.
struct LogBatchFastDecoder {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The decoded body, or `nil` when the body is not in the plain shape (decode it generally).
    static func decode(_ bytes: [UInt8]) -> RunsController.BatchBody? {
        var decoder = LogBatchFastDecoder(bytes)
        return decoder.body()
    }

    private mutating func body() -> RunsController.BatchBody? {
        var runID: String?
        var runUUID: String?
        var metrics: [MetricDTO]?
        var params: [KeyValueDTO]?
        var tags: [KeyValueDTO]?
        var seen = Set<String>()
        let complete = object { d, key in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "run_id": return d.optionalString(into: &runID)
            case "run_uuid": return d.optionalString(into: &runUUID)
            case "metrics": return d.optionalArray(into: &metrics) { $0.metric() }
            case "params": return d.optionalArray(into: &params) { $0.keyValue() }
            case "tags": return d.optionalArray(into: &tags) { $0.keyValue() }
            default: return false
            }
        }
        skipWhitespace()
        guard complete, index == bytes.count else { return nil }
        return RunsController.BatchBody(run_id: runID, run_uuid: runUUID, metrics: metrics, params: params, tags: tags)
    }

    private mutating func metric() -> MetricDTO? {
        var key: String?
        var value: Double?
        var timestamp: Int64?
        var step: Int64?
        var modelID: String?
        var datasetName: String?
        var datasetDigest: String?
        var runID: String?
        var runUUID: String?
        var seen = Set<String>()
        let complete = object { d, field in
            guard seen.insert(field).inserted else { return false }
            switch field {
            case "key": return d.optionalString(into: &key)
            case "value": return d.optionalNumber(into: &value)
            case "timestamp": return d.optionalInteger(into: &timestamp)
            case "step": return d.optionalInteger(into: &step)
            case "model_id": return d.optionalString(into: &modelID)
            case "dataset_name": return d.optionalString(into: &datasetName)
            case "dataset_digest": return d.optionalString(into: &datasetDigest)
            case "run_id": return d.optionalString(into: &runID)
            case "run_uuid": return d.optionalString(into: &runUUID)
            default: return false
            }
        }
        guard complete else { return nil }
        return MetricDTO(
            run_id: runID, run_uuid: runUUID, key: key, value: value.map(FlexibleDouble.init(value:)),
            timestamp: timestamp.map(FlexibleInt64.init(value:)), step: step.map(FlexibleInt64.init(value:)), model_id: modelID,
            dataset_name: datasetName, dataset_digest: datasetDigest)
    }

    private mutating func keyValue() -> KeyValueDTO? {
        var key: String?
        var value: String?
        var seen = Set<String>()
        let complete = object { d, field in
            guard seen.insert(field).inserted else { return false }
            switch field {
            case "key": return d.optionalString(into: &key)
            case "value": return d.optionalString(into: &value)
            default: return false
            }
        }
        guard complete else { return nil }
        return KeyValueDTO(key: key, value: value.map(FlexibleString.init(value:)))
    }

    // MARK: JSON pieces

    /// `{ "key": value, ... }`, calling `member` with each key positioned at its value.
    private mutating func object(_ member: (inout LogBatchFastDecoder, String) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(&self, key) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func optionalArray<T>(into result: inout [T]?, _ element: (inout LogBatchFastDecoder) -> T?) -> Bool {
        if null() { return true }
        guard consume(UInt8(ascii: "[")) else { return false }
        var items: [T] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) {
            result = items
            return true
        }
        while true {
            guard let item = element(&self) else { return false }
            items.append(item)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { return false }
            result = items
            return true
        }
    }

    private mutating func optionalString(into result: inout String?) -> Bool {
        if null() { return true }
        guard let text = string() else { return false }
        result = text
        return true
    }

    /// A JSON number as a `Double` (the general path reads `value` the same way).
    private mutating func optionalNumber(into result: inout Double?) -> Bool {
        if null() { return true }
        guard let text = numberText(), let number = Double(text), number.isFinite else { return false }
        result = number
        return true
    }

    /// A plain integer literal that fits an `Int64`; fractions and exponents go the general way.
    private mutating func optionalInteger(into result: inout Int64?) -> Bool {
        if null() { return true }
        guard let text = numberText(), !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let number = Int64(text) else {
            return false
        }
        result = number
        return true
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<index]), as: UTF8.self) }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// The text of a number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func numberText() -> String? {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else { return nil }
            _ = digits()
        }
        if consume(UInt8(ascii: ".")) {
            guard digits() > 0 else { return nil }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { return nil }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func null() -> Bool {
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }
}
