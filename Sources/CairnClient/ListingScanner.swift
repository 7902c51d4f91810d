import CairnCore

/// Finds, in a listing answer's JSON text, where each object of the listed array starts and ends
/// and what the next page token is, without decoding the objects: the structure is checked
/// (brackets balanced, strings closed, members separated) and the objects are left as text.
struct ListingScanner {
    /// The text is not a JSON object (or is cut short).
    struct Malformed: Error {}

    let bytes: [UInt8]
    private var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The ranges of the elements of the array under `key` (empty when the key is absent, as
    /// MLflow omits empty lists) and the `next_page_token` string.
    mutating func page(key: String) throws(Malformed) -> (items: [Range<Int>], token: String?) {
        let wanted = Array(key.utf8)
        var items: [Range<Int>] = []
        var token: String?
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { return ([], nil) }
        while true {
            skipWhitespace()
            let name = try stringRange()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let nameBytes = bytes[name]
            if nameBytes.elementsEqual(wanted), peek() == UInt8(ascii: "[") {
                items = try elements()
            } else if nameBytes.elementsEqual("next_page_token".utf8) {
                let start = index
                try skipValue()
                token = (try? JSONValue(parsing: bytes[start..<index]))?.stringValue
            } else {
                try skipValue()
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return (items, token)
        }
    }

    /// The ranges of an array's elements; `index` is on its `[`.
    private mutating func elements() throws(Malformed) -> [Range<Int>] {
        index += 1
        var ranges: [Range<Int>] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return ranges
        }
        while true {
            skipWhitespace()
            let start = index
            try skipValue()
            ranges.append(start..<index)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return ranges
        }
    }

    /// Moves past one value: an object or array with everything inside, a string, or a scalar.
    private mutating func skipValue() throws(Malformed) {
        guard let first = peek() else { throw Malformed() }
        switch first {
        case UInt8(ascii: "\""):
            _ = try stringRange()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var closers: [UInt8] = []
            repeat {
                guard index < bytes.count else { throw Malformed() }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    _ = try stringRange()
                    continue
                case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard closers.popLast() == byte else { throw Malformed() }
                default: break
                }
                index += 1
            } while !closers.isEmpty
        default:
            let start = index
            while let byte = peek(), !Self.endsScalar(byte) { index += 1 }
            guard index > start else { throw Malformed() }
        }
    }

    /// The range of a string's contents; `index` is on its opening quote and ends past the closing one.
    private mutating func stringRange() throws(Malformed) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        throw Malformed()
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 || byte == 0x0A || byte == 0x0D
            || byte == 0x09
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard peek() == byte else { throw Malformed() }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }
}
