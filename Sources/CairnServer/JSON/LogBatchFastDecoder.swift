import CairnCore
import Glibc

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
///
/// It reads the body's memory directly (an `UnsafeBufferPointer` for the length of one decode,
/// no bounds checks or reference counting per byte), makes each distinct metric key once
/// (``key()``), and parses a number from its bytes (``optionalNumber(into:)``).
struct LogBatchFastDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Metric keys already made, by a hash of their bytes (see ``key()``).
    private var recentKeys = [String?](repeating: nil, count: 32)
    /// True while the C library's locale writes the decimal point as `.` (the "C" locale unless
    /// something called `setlocale`): then `strtod` reads a JSON number as `Double(String)` does.
    private let plainDecimalPoint: Bool

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        plainDecimalPoint = localeconv().pointee.decimal_point.map { $0.pointee == CChar(UInt8(ascii: ".")) && $0[1] == 0 } ?? false
    }

    /// The decoded body, or `nil` when the body is not in the plain shape (decode it generally).
    static func decode(_ bytes: [UInt8]) -> RunsController.BatchBody? {
        bytes.withUnsafeBufferPointer { memory in
            var decoder = LogBatchFastDecoder(memory)
            return decoder.body()
        }
    }

    /// A `runs/log-metric` body (one metric object, the fields above), or `nil` when it is not in
    /// the plain shape. `JSONDecoder` was 5% of Cairn's CPU per `log-metric` (`perf`).
    static func decodeMetric(_ bytes: [UInt8]) -> MetricDTO? {
        bytes.withUnsafeBufferPointer { memory in
            var decoder = LogBatchFastDecoder(memory)
            guard let metric = decoder.metric() else { return nil }
            decoder.skipWhitespace()
            return decoder.index == memory.count ? metric : nil
        }
    }

    private static let bodyFields = names(["run_id", "run_uuid", "metrics", "params", "tags"])
    private static let metricFields = names(["key", "value", "timestamp", "step", "model_id", "dataset_name", "dataset_digest", "run_id", "run_uuid"])
    private static let keyValueFields = names(["key", "value"])

    private static func names(_ names: [String]) -> [[UInt8]] { names.map { Array($0.utf8) } }

    private mutating func body() -> RunsController.BatchBody? {
        var runID: String?
        var runUUID: String?
        var metrics: [MetricDTO]?
        var params: [KeyValueDTO]?
        var tags: [KeyValueDTO]?
        let complete = object(Self.bodyFields) { d, field in
            switch field {
            case 0: return d.optionalString(into: &runID)
            case 1: return d.optionalString(into: &runUUID)
            case 2: return d.optionalArray(into: &metrics) { $0.metric() }
            case 3: return d.optionalArray(into: &params) { $0.keyValue() }
            default: return d.optionalArray(into: &tags) { $0.keyValue() }
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
        let complete = object(Self.metricFields) { d, field in
            switch field {
            case 0: return d.optionalString(into: &key, asKey: true)
            case 1: return d.optionalNumber(into: &value)
            case 2: return d.optionalInteger(into: &timestamp)
            case 3: return d.optionalInteger(into: &step)
            case 4: return d.optionalString(into: &modelID)
            case 5: return d.optionalString(into: &datasetName)
            case 6: return d.optionalString(into: &datasetDigest)
            case 7: return d.optionalString(into: &runID)
            default: return d.optionalString(into: &runUUID)
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
        let complete = object(Self.keyValueFields) { d, field in
            field == 0 ? d.optionalString(into: &key) : d.optionalString(into: &value)
        }
        guard complete else { return nil }
        return KeyValueDTO(key: key, value: value.map(FlexibleString.init(value:)))
    }

    // MARK: JSON pieces

    /// `{ "name": value, ... }` whose names are all in `fields` and none repeated, calling
    /// `member` with each name's index in `fields`, positioned at its value. Names are compared
    /// as bytes (no `String` per member); an unknown, repeated or escaped name fails.
    private mutating func object(_ fields: [[UInt8]], _ member: (inout LogBatchFastDecoder, Int) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        var seen: UInt32 = 0
        while true {
            skipWhitespace()
            guard let field = memberName(fields), seen & (1 << field) == 0 else { return false }
            seen |= 1 << field
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(&self, field) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// The index in `fields` of the quoted member name at the cursor, or nil.
    private mutating func memberName(_ fields: [[UInt8]]) -> Int? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let name = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        for (field, text) in fields.enumerated() where text.count == name.count && text.first == name.first {
            if text.withUnsafeBufferPointer({ $0.elementsEqual(name) }) { return field }
        }
        return nil
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

    /// `null`, or a string; a metric's key (`asKey`) through ``key()``, which makes each once.
    private mutating func optionalString(into result: inout String?, asKey: Bool = false) -> Bool {
        if null() { return true }
        guard let text = asKey ? key() : string() else { return false }
        result = text
        return true
    }

    /// A JSON number as a `Double`, correctly rounded as the general path's `Double(String)`
    /// reads it. Where the locale's decimal point is `.` (``plainDecimalPoint``) and the byte
    /// after the number ends it for `strtod` too (one that JSON allows after a value), `strtod`
    /// reads it straight from the body's bytes; otherwise through a `String`, whose making was 3%
    /// of Cairn's CPU per 1,000-point batch (`perf`).
    private mutating func optionalNumber(into result: inout Double?) -> Bool {
        if null() { return true }
        let start = index
        guard skipNumber() else { return false }
        var number: Double?
        if plainDecimalPoint, index < bytes.count, Self.endsANumber(bytes[index]), let base = bytes.baseAddress {
            var end: UnsafeMutablePointer<CChar>?
            let parsed = strtod(UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self), &end)
            number = end.map { UnsafeRawPointer($0) } == UnsafeRawPointer(base + index) ? parsed : nil
        } else {
            number = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }
        guard let number, number.isFinite else { return false }
        result = number
        return true
    }

    /// A byte JSON allows after a value, which no number's text goes on with.
    private static func endsANumber(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
            UInt8(ascii: "\t"):
            true
        default: false
        }
    }

    /// A plain integer literal that fits an `Int64`, read from its bytes; fractions, exponents
    /// and anything that overflows go the general way.
    private mutating func optionalInteger(into result: inout Int64?) -> Bool {
        if null() { return true }
        let negative = consume(UInt8(ascii: "-"))
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return false }
            magnitude = sum
            index += 1
        }
        let count = index - start
        guard count > 0, count == 1 || bytes[start] != UInt8(ascii: "0") else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return false }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return false }
            result = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { return false }
            result = Int64(magnitude)
        }
        return true
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() -> String? {
        guard let range = stringBytes() else { return nil }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A metric's key, as ``string()``; a key whose bytes were just read reuses that `String`.
    /// A batch names a few keys many times, and making (validating) each point's key was 4% of
    /// Cairn's CPU per 1,000-point batch (`perf`). The cache is direct-mapped by the key's length
    /// and end bytes; a miss makes the string as ``string()`` does.
    private mutating func key() -> String? {
        guard let range = stringBytes() else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        let slot = text.isEmpty ? 0 : (text.count &* 31 &+ Int(text[0]) &* 7 &+ Int(text[text.count - 1])) & 31
        if let known = recentKeys[slot], known.utf8.count == text.count,
            known.utf8.withContiguousStorageIfAvailable({ $0.elementsEqual(text) }) ?? known.utf8.elementsEqual(text)
        {
            return known
        }
        let made = String(validating: text, as: UTF8.self)
        recentKeys[slot] = made
        return made
    }

    /// The bytes between the quotes of a string without escapes or control characters; the
    /// cursor then stands after the closing quote.
    private mutating func stringBytes() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// Moves past a number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`;
    /// false when there is none.
    private mutating func skipNumber() -> Bool {
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else { return false }
            _ = digits()
        }
        if consume(UInt8(ascii: ".")) {
            guard digits() > 0 else { return false }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        return true
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
