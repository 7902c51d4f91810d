/// `%XX` decoding, written once for the three places that need it: request paths and query
/// values (strict), artifact paths checked for double-encoded traversal, and database URLs.
public enum PercentEncoding {
    /// Decodes `%XX` escapes leniently: a malformed escape (`%`, `%4`, `%zz`) is kept as written
    /// and decoded bytes that are not UTF-8 are repaired with U+FFFD.
    public static func decode(_ text: some StringProtocol) -> String {
        guard let bytes = decodedBytes(text, strict: false) else { return String(text) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes `%XX` escapes strictly: `nil` for a malformed escape or decoded bytes that are not UTF-8.
    public static func strictDecode(_ text: some StringProtocol) -> String? {
        decodedBytes(text, strict: true).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Encodes every byte but RFC 5987's attr-chars (letters, digits, `!#$&+-.^_`|~`) as `%XX`:
    /// fit for a path segment and for `filename*=UTF-8''…`.
    public static func encodePathSegment(_ text: some StringProtocol) -> String {
        encode(text, keeping: attrChars)
    }

    /// Encodes every byte but RFC 3986's unreserved characters (letters, digits, `-._~`) as
    /// `%XX`: safe anywhere in a URL, as a path segment or a query name or value.
    public static func encodeComponent(_ text: some StringProtocol) -> String {
        encode(text, keeping: unreserved)
    }

    private static let attrChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~".utf8)
    private static let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)

    private static func encode(_ text: some StringProtocol, keeping kept: Set<UInt8>) -> String {
        var out = ""
        for byte in text.utf8 {
            if kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }

    /// The decoded bytes; `nil` for a malformed escape when `strict`.
    private static func decodedBytes(_ text: some StringProtocol, strict: Bool) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.contains(UInt8(ascii: "%")) else { return utf8 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%") {
                if index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                    bytes.append(high << 4 | low)
                    index += 3
                    continue
                }
                if strict { return nil }
            }
            bytes.append(utf8[index])
            index += 1
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Comparison of secrets and their digests in time independent of where they differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; the time depends only on their lengths.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
