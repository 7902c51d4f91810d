import CairnCore

/// Writes ``JSONValue``s as JSON or YAML, with number formatting Cairn controls.
///
/// JSON is ``JSONValue/jsonText(_:)`` with keys in their order; decimals are written by
/// ``JSONValue/formatDouble(_:)`` (always with a `.` and a signed exponent when one is needed, so
/// YAML 1.1 readers such as PyYAML read them back as floats). The YAML output is block style; any
/// string that a YAML 1.1 or 1.2 reader could take for something else (a number, a boolean, `null`,
/// a string with indicators) is written double-quoted, with JSON escapes, which YAML accepts.
public enum ManifestEncoder {
    /// Compact JSON, keys in their order (the text of a rendered manifest).
    public static func json(_ value: JSONValue) -> String {
        value.jsonText(.compact)
    }

    /// Indented JSON (two spaces), for people and for files.
    public static func prettyJSON(_ value: JSONValue) -> String {
        value.jsonText(.pretty)
    }

    /// A YAML document for one value, ending in a newline.
    public static func yaml(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let members) where !members.isEmpty: writeYAMLObject(members, into: &out, indent: 0)
        case .array(let elements) where !elements.isEmpty: writeYAMLArray(elements, into: &out, indent: 0)
        default: out = inlineYAML(value) + "\n"
        }
        return out
    }

    /// A multi-document YAML stream (`---` between documents), as `kubectl apply -f` reads it.
    public static func yamlStream(_ values: [JSONValue]) -> String {
        values.map(yaml).joined(separator: "---\n")
    }

    /// The text of a decimal number, as ``JSONValue/formatDouble(_:)`` writes it.
    public static func formatDouble(_ double: Double) -> String {
        JSONValue.formatDouble(double)
    }

    // MARK: YAML

    private static func writeYAMLObject(_ members: [JSONValue.Member], into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        for member in members {
            out += pad + yamlString(member.key) + ":"
            writeYAMLChild(member.value, into: &out, indent: indent + 2, inSequence: false)
        }
    }

    private static func writeYAMLArray(_ elements: [JSONValue], into out: inout String, indent: Int) {
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

    private static func writeYAMLChild(_ value: JSONValue, into out: inout String, indent: Int, inSequence: Bool) {
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

    private static func inlineYAML(_ value: JSONValue) -> String {
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
        return JSONValue.quoted(string)
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
