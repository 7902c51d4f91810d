/// Writes ``ManifestValue``s as JSON or YAML, with number formatting Cairn controls.
///
/// Decimals are always written with a `.` and a signed exponent when one is needed (`0.5`,
/// `1.0e-05`), so that YAML 1.1 readers such as PyYAML read them back as floats (Yams 6 writes
/// `0.5` as `5e-1`, which PyYAML reads as a string). The YAML output is block style; any string
/// that a YAML 1.1 or 1.2 reader could take for something else (a number, a boolean, `null`, a
/// string with indicators) is written double-quoted, with JSON escapes, which YAML accepts.
public enum ManifestEncoder {
    /// Compact JSON (the body of a server-side apply request).
    public static func json(_ value: ManifestValue) -> String {
        var out = ""
        writeJSON(value, into: &out, indent: nil)
        return out
    }

    /// Indented JSON (two spaces), for people and for files.
    public static func prettyJSON(_ value: ManifestValue) -> String {
        var out = ""
        writeJSON(value, into: &out, indent: 0)
        return out
    }

    /// A YAML document for one value, ending in a newline.
    public static func yaml(_ value: ManifestValue) -> String {
        var out = ""
        switch value {
        case .object(let members) where !members.isEmpty: writeYAMLObject(members, into: &out, indent: 0)
        case .array(let elements) where !elements.isEmpty: writeYAMLArray(elements, into: &out, indent: 0)
        default: out = inlineYAML(value) + "\n"
        }
        return out
    }

    /// A multi-document YAML stream (`---` between documents), as `kubectl apply -f` reads it.
    public static func yamlStream(_ values: [ManifestValue]) -> String {
        values.map(yaml).joined(separator: "---\n")
    }

    /// The text of a decimal number: shortest round-trip digits, always with a `.`, exponent signed.
    /// Non-finite values have no JSON form; they are written as `null` (JSON) by the callers.
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

    // MARK: JSON

    private static func writeJSON(_ value: ManifestValue, into out: inout String, indent: Int?) {
        switch value {
        case .null: out += "null"
        case .bool(let bool): out += bool ? "true" : "false"
        case .int(let int): out += String(int)
        case .double(let double): out += formatDouble(double)
        case .string(let string): out += quoted(string)
        case .array(let elements):
            writeJSONContainer(elements.count, open: "[", close: "]", into: &out, indent: indent) { index, out, inner in
                writeJSON(elements[index], into: &out, indent: inner)
            }
        case .object(let members):
            writeJSONContainer(members.count, open: "{", close: "}", into: &out, indent: indent) { index, out, inner in
                out += quoted(members[index].key)
                out += inner == nil ? ":" : ": "
                writeJSON(members[index].value, into: &out, indent: inner)
            }
        }
    }

    private static func writeJSONContainer(
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

    /// A JSON string literal (also a valid YAML double-quoted scalar).
    static func quoted(_ string: String) -> String {
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

    // MARK: YAML

    private static func writeYAMLObject(_ members: [ManifestValue.Member], into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        for member in members {
            out += pad + yamlString(member.key) + ":"
            writeYAMLChild(member.value, into: &out, indent: indent + 2, inSequence: false)
        }
    }

    private static func writeYAMLArray(_ elements: [ManifestValue], into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        for element in elements {
            switch element {
            case .object(let members) where !members.isEmpty:
                // "- key: value" with the remaining keys aligned under the first.
                var nested = ""
                writeYAMLObject(members, into: &nested, indent: indent + 2)
                out += pad + "- " + String(nested.dropFirst(indent + 2))
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeYAMLArray(inner, into: &out, indent: indent + 2)
            default:
                out += pad + "- " + inlineYAML(element) + "\n"
            }
        }
    }

    private static func writeYAMLChild(_ value: ManifestValue, into out: inout String, indent: Int, inSequence: Bool) {
        switch value {
        case .object(let members) where !members.isEmpty:
            out += "\n"
            writeYAMLObject(members, into: &out, indent: indent)
        case .array(let elements) where !elements.isEmpty:
            out += "\n"
            writeYAMLArray(elements, into: &out, indent: indent)
        default:
            out += " " + inlineYAML(value) + "\n"
        }
    }

    private static func inlineYAML(_ value: ManifestValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let bool): bool ? "true" : "false"
        case .int(let int): String(int)
        case .double(let double):
            double.isNaN ? ".nan" : double.isInfinite ? (double < 0 ? "-.inf" : ".inf") : formatDouble(double)
        case .string(let string): yamlString(string)
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// Reserved plain scalars in YAML 1.1 and 1.2 that must not be written bare as strings.
    private static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "", "<<", "=",
    ]

    /// A string as a plain YAML scalar when that is unambiguous, else double-quoted.
    static func yamlString(_ string: String) -> String {
        if isSafePlain(string) { return string }
        return quoted(string)
    }

    private static func isSafePlain(_ string: String) -> Bool {
        guard let first = string.unicodeScalars.first, !reservedWords.contains(string.lowercased()) else { return false }
        // Letters, '/' or '_' first (never a digit, sign or dot: those may read as numbers).
        guard ("a"..."z").contains(first) || ("A"..."Z").contains(first) || first == "/" || first == "_" else { return false }
        let allowed = string.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-_./".unicodeScalars.contains(scalar)
        }
        return allowed && !string.hasSuffix(".") && !string.contains("..")
    }
}
