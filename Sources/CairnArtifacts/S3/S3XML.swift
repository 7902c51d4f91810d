/// Just enough XML reading for S3's answers (ListObjectsV2, InitiateMultipartUpload, Error):
/// elements are found by name, text is unescaped. S3's answers have no attributes on these
/// elements and no CDATA.
enum S3XML {
    /// The text of the first `<name>` element in `xml`.
    static func firstValue(of name: String, in xml: String) -> String? {
        values(of: name, in: Substring(xml)).first
    }

    /// The texts of every `<name>` element in `xml`, in order.
    static func values(of name: String, in xml: Substring) -> [String] {
        elements(named: name, in: xml).map { unescape($0) }
    }

    /// The raw inner text of every `<name>…</name>` in `xml`.
    static func elements(named name: String, in xml: Substring) -> [Substring] {
        let open = "<\(name)>", close = "</\(name)>"
        var found: [Substring] = []
        var rest = xml[...]
        while let start = rest.firstRange(of: open) {
            guard let end = rest[start.upperBound...].firstRange(of: close) else { break }
            found.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return String(text).replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'").replacing("&#39;", with: "'").replacing("&#34;", with: "\"")
            .replacing("&#xD;", with: "\r").replacing("&#13;", with: "\r").replacing("&#xA;", with: "\n").replacing("&#10;", with: "\n")
            .replacing("&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }
}
