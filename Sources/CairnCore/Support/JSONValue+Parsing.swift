extension JSONValue {
    /// Parses JSON text (RFC 8259; a leading UTF-8 byte order mark is skipped), keeping the order
    /// of object members.
    ///
    /// Numbers without a fraction or exponent that fit `Int64` are ``int(_:)``; so are decimals
    /// with an integral value that fit (`1.0`, `1e2`), as Foundation's `JSONDecoder` read them;
    /// everything else is ``double(_:)``. A key repeated inside one object keeps its first value,
    /// also as `JSONDecoder` did.
    /// - Parameter bytes: UTF-8 JSON text.
    /// - Throws: `CairnError` `BAD_REQUEST` naming what is wrong and at which byte: text that is
    ///   not UTF-8 or not JSON, a number out of `Double`'s range, nesting deeper than 512 levels.
    public init(parsing bytes: some Collection<UInt8>) throws(CairnError) {
        var parser = Parser(bytes: Array(bytes))
        self = try parser.document()
    }

    /// Parses JSON text, as ``init(parsing:)-(Collection<UInt8>)``.
    /// - Throws: `CairnError` `BAD_REQUEST` when the string is not JSON.
    public init(parsing string: String) throws(CairnError) {
        try self.init(parsing: Array(string.utf8))
    }

    /// A recursive-descent reader over UTF-8 bytes.
    private struct Parser {
        static let maximumDepth = 512

        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() throws(CairnError) -> JSONValue {
            guard Self.isValidUTF8(bytes) else { throw CairnError(.badRequest, "JSON text is not valid UTF-8") }
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
            let value = try self.value()
            skipWhitespace()
            guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
            return value
        }

        mutating func value() throws(CairnError) -> JSONValue {
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of JSON text") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw failure("unexpected character")
            }
        }

        /// Enters an object or array: one level deeper, refused past ``maximumDepth``.
        mutating func enter() throws(CairnError) {
            depth += 1
            guard depth <= Self.maximumDepth else { throw failure("JSON nested deeper than \(Self.maximumDepth) levels") }
        }

        mutating func object() throws(CairnError) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            index += 1  // {
            var members: [Member] = []
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try string()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw failure("expected ':' after an object key") }
                members.append(Member(key, try value()))
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { throw failure("expected ',' or '}' in an object") }
                return .object(Self.firstOfEachKey(members))
            }
        }

        mutating func array() throws(CairnError) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            index += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            while true {
                elements.append(try value())
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { throw failure("expected ',' or ']' in an array") }
                return .array(elements)
            }
        }

        /// A string literal; `index` is at its opening quote. The input was checked to be UTF-8,
        /// and runs between escapes start and end at ASCII bytes, so they decode exactly.
        mutating func string() throws(CairnError) -> String {
            index += 1  // "
            var text = ""
            var run = index
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    text += String(decoding: bytes[run..<index], as: UTF8.self)
                    index += 1
                    return text
                case UInt8(ascii: "\\"):
                    text += String(decoding: bytes[run..<index], as: UTF8.self)
                    index += 1
                    text.unicodeScalars.append(try escape())
                    run = index
                case 0..<0x20:
                    throw failure("unescaped control character in a string")
                default:
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        /// The character of an escape; `index` is just after its backslash.
        mutating func escape() throws(CairnError) -> Unicode.Scalar {
            guard index < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{8}"
            case UInt8(ascii: "f"): return "\u{C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hexUnit()
                if UTF16.isTrailSurrogate(unit) { throw failure("unpaired surrogate escape") }
                guard UTF16.isLeadSurrogate(unit) else { return Unicode.Scalar(unit)! }
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw failure("unpaired surrogate escape") }
                let trail = try hexUnit()
                guard UTF16.isTrailSurrogate(trail) else { throw failure("unpaired surrogate escape") }
                return Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00))!
            default:
                index -= 1
                throw failure("invalid escape in a string")
            }
        }

        /// Four hex digits of a `\u` escape.
        mutating func hexUnit() throws(CairnError) -> UInt16 {
            guard index + 4 <= bytes.count else { throw failure("incomplete \\u escape") }
            var unit: UInt16 = 0
            for byte in bytes[index..<index + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid \\u escape")
                }
                unit = unit << 4 | UInt16(digit)
                index += 1
            }
            return unit
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws(CairnError) -> JSONValue {
            let start = index
            _ = consume(UInt8(ascii: "-"))
            if consume(UInt8(ascii: "0")) {
                if index < bytes.count, Self.isDigit(bytes[index]) { throw failure("a number has a leading zero") }
            } else if digits() == 0 {
                throw failure("a number has no digits")
            }
            var integral = true
            if consume(UInt8(ascii: ".")) {
                integral = false
                guard digits() > 0 else { throw failure("a number has no digits after '.'") }
            }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                integral = false
                if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
                guard digits() > 0 else { throw failure("a number has no digits in its exponent") }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let int = Int64(text) { return .int(int) }
            guard let double = Double(text), double.isFinite else {
                index = start
                throw failure("number \(text) is out of range")
            }
            if !integral, let int = Int64(exactly: double) { return .int(int) }
            return .double(double)
        }

        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            return index - start
        }

        mutating func literal(_ word: String, _ value: JSONValue) throws(CairnError) -> JSONValue {
            let utf8 = Array(word.utf8)
            guard bytes[index...].starts(with: utf8) else { throw failure("unexpected character") }
            index += utf8.count
            return value
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
                default: return
                }
            }
        }

        func failure(_ message: String) -> CairnError {
            CairnError(.badRequest, "invalid JSON at byte \(index): \(message)")
        }

        static func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
            if bytes.allSatisfy({ $0 < 0x80 }) { return true }
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }

        /// The members with each key's first occurrence only (what is read when a key repeats).
        static func firstOfEachKey(_ members: [Member]) -> [Member] {
            guard members.count > 1 else { return members }
            var seen = Set<String>(minimumCapacity: members.count)
            guard !members.allSatisfy({ seen.insert($0.key).inserted }) else { return members }
            seen.removeAll(keepingCapacity: true)
            return members.filter { seen.insert($0.key).inserted }
        }
    }
}
