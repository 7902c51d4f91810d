extension JSONValue {
    /// How ``JSONValue/jsonText(_:)`` lays a value out.
    public struct TextFormat: Sendable, Hashable {
        let sortsKeys: Bool
        let indented: Bool

        /// No whitespace, object keys in their order: the text of a rendered manifest.
        public static let compact = TextFormat(sortsKeys: false, indented: false)
        /// Two-space indentation, object keys in their order: for people and for files.
        public static let pretty = TextFormat(sortsKeys: false, indented: true)
        /// No whitespace, every object's keys sorted: one text for a value whatever order its
        /// members were written or read in (the ledger, API answers, request bodies).
        public static let sortedKeys = TextFormat(sortsKeys: true, indented: false)
    }

    /// The value as JSON text, with number formatting Cairn controls (see ``formatDouble(_:)``).
    ///
    /// Strings are escaped as ``quoted(_:)`` escapes them; non-finite decimals, which JSON cannot
    /// write, are written as `null`.
    public func jsonText(_ format: TextFormat = .compact) -> String {
        var out = ""
        write(into: &out, format: format, indent: format.indented ? 0 : nil)
        return out
    }

    /// Compact JSON with sorted keys (``TextFormat/sortedKeys``): stable, so it compares byte for byte.
    public var jsonString: String { jsonText(.sortedKeys) }

    /// The text of a decimal number: shortest round-trip digits, always with a `.`, exponent signed.
    ///
    /// Decimals are always written with a `.` and a signed exponent when one is needed (`0.5`,
    /// `1.0e-05`), so that YAML 1.1 readers such as PyYAML read them back as floats (Yams 6 writes
    /// `0.5` as `5e-1`, which PyYAML reads as a string). Non-finite values have no JSON form; they
    /// are written as `null` (JSON) by the callers.
    public static func formatDouble(_ double: Double) -> String {
        if double.isNaN || double.isInfinite { return "null" }
        if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) + ".0" }
        var text = "\(double)"  // shortest representation that round-trips, e.g. 0.5, 1e-05, 1.5e+20
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        var exponent = String(text[text.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
        text = mantissa + "e" + exponent
        return text
    }

    /// A JSON string literal, which is also a valid YAML double-quoted scalar: besides `"`, `\` and
    /// the C0 controls, DEL, the C1 controls, U+2028, U+2029 and U+FEFF are escaped (`\u2028`), so
    /// the text survives JavaScript, YAML and editors unchanged.
    public static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private func write(into out: inout String, format: TextFormat, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let bool): out += bool ? "true" : "false"
        case .int(let int): out += String(int)
        case .double(let double): out += Self.formatDouble(double)
        case .string(let string): out += Self.quoted(string)
        case .array(let elements):
            Self.writeContainer(elements.count, open: "[", close: "]", into: &out, indent: indent) { index, out, inner in
                elements[index].write(into: &out, format: format, indent: inner)
            }
        case .object(let members):
            let members = format.sortsKeys ? Self.keySorted(members) : members
            Self.writeContainer(members.count, open: "{", close: "}", into: &out, indent: indent) { index, out, inner in
                out += Self.quoted(members[index].key)
                out += inner == nil ? ":" : ": "
                members[index].value.write(into: &out, format: format, indent: inner)
            }
        }
    }

    private static func writeContainer(
        _ count: Int, open: String, close: String, into out: inout String, indent: Int?,
        element: (Int, inout String, Int?) -> Void
    ) {
        out += open
        guard count > 0 else {
            out += close
            return
        }
        let inner = indent.map { $0 + 2 }
        for index in 0..<count {
            if index > 0 { out += "," }
            if let inner { out += "\n" + String(repeating: " ", count: inner) }
            element(index, &out, inner)
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent) }
        out += close
    }
}
