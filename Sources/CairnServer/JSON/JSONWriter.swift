import NIOCore

/// A minimal, fast JSON writer for responses. MLflow's wire rules are applied by the callers:
/// int64 as numbers, NaN/±Infinity as strings, empty lists omitted.
///
/// Writing directly into bytes (instead of building `Encodable` trees) keeps a 50,000-point
/// metric history to a few milliseconds of encoding.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    /// True right after `"key":`, when the value must not be preceded by a comma.
    private var afterKey = false

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    private mutating func separator() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func keyPrefix(_ key: String) {
        separator()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// `"key": {` … `}` around `body`.
    mutating func object(_ name: String, _ body: (inout JSONWriter) -> Void) {
        keyPrefix(name)
        beginObject()
        body(&self)
        endObject()
    }

    /// `"key": [` … `]` around `body`, or nothing when `items` is empty (MLflow omits empty lists).
    mutating func array<C: Collection>(_ name: String, _ items: C, _ element: (inout JSONWriter, C.Element) -> Void) {
        guard !items.isEmpty else { return }
        keyPrefix(name)
        beginArray()
        // Elements are lent from contiguous storage, not copied: copying a model version retains
        // each of its strings, 2-3% of a 1,000-version search.
        let lent: Void? = items.withContiguousStorageIfAvailable { storage in
            for index in storage.indices { element(&self, storage[index]) }
        }
        if lent == nil {
            for item in items { element(&self, item) }
        }
        endArray()
    }

    mutating func field(_ name: String, _ value: String) {
        keyPrefix(name)
        separator()
        writeString(value)
    }

    /// A string field left out when `value` is nil.
    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        field(name, value)
    }

    mutating func field(_ name: String, _ value: Int64) {
        keyPrefix(name)
        separator()
        writeInt(value)
    }

    mutating func field(_ name: String, _ value: Int64?) {
        guard let value else { return }
        field(name, value)
    }

    mutating func field(_ name: String, _ value: Bool) {
        keyPrefix(name)
        separator()
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func field(_ name: String, _ value: Double) {
        keyPrefix(name)
        separator()
        writeDouble(value)
    }

    /// A string array element.
    mutating func element(_ value: String) {
        separator()
        writeString(value)
    }

    /// Decimal digits written straight into the buffer (no intermediate `String`).
    mutating func writeInt(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Bytes already in JSON form (pre-encoded pieces of a hot loop), as the next array element.
    mutating func rawElement(bytes raw: [UInt8]) {
        separator()
        bytes.append(contentsOf: raw)
    }

    /// Bytes already in JSON form, appended as they are (inside an element begun with ``rawElement(bytes:)``).
    mutating func appendRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Finite doubles as JSON numbers; NaN and ±Infinity as the strings MLflow uses.
    mutating func writeDouble(_ value: Double) {
        if value.isNaN {
            writeString("NaN")
        } else if value.isInfinite {
            writeString(value > 0 ? "Infinity" : "-Infinity")
        } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
            if value == 0 && value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            writeInt(Int64(value))
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0"))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy their bytes in one append instead of byte by byte.
        var text = value
        let copied = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":` followed by `json`, a complete JSON value written elsewhere (e.g. a stored manifest).
    mutating func rawField(_ name: String, json: String) {
        keyPrefix(name)
        afterKey = false
        bytes.append(contentsOf: json.utf8)
    }

    /// `json`, a complete JSON value, as the next array element.
    mutating func rawElement(json: String) {
        separator()
        bytes.append(contentsOf: json.utf8)
    }

    /// A whole response object: `{` body `}`.
    static func object(capacity: Int = 256, _ body: (inout JSONWriter) -> Void) -> JSONWriter {
        var writer = JSONWriter(capacity: capacity)
        writer.beginObject()
        body(&writer)
        writer.endObject()
        return writer
    }
}
