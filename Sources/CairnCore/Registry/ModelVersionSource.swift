/// A model version's `source` as MLflow's server reads it (`mlflow/server/handlers.py`
/// `_create_model_version` and the `models:/` grammar of `_parse_model_uri`). Pure, so the rules
/// are tested without a server.
public enum ModelVersionSource {
    /// What a `models:/…` source names.
    public enum ModelsURI: Equatable, Sendable {
        /// `models:/<id>`: a logged model (any single segment, as MLflow parses it).
        case loggedModel(id: String)
        /// `models:/<name>/<digits>`.
        case version(name: String, version: Int64)
        /// `models:/<name>/latest` (any case): the highest version.
        case latest(name: String)
        /// `models:/<name>/<stage>`: the highest version in that stage.
        case stage(name: String, stage: String)
        /// `models:/<name>@<alias>`.
        case alias(name: String, alias: String)
    }

    /// The message MLflow gives a source that is not addressed by the request's `run_id` (or
    /// `model_id`): `parameter` is `run_id` or `model_id`.
    public static func notIdentified(_ source: String, by parameter: String) -> CairnError {
        .invalidParameter(
            "Invalid model version source: '\(source)'. The \(parameter) request parameter must identify the resource that contains the source.")
    }

    /// Parses a `models:` URI as MLflow's `_parse_model_uri` does; nil when it is not one MLflow
    /// accepts (more than two segments, an empty name or suffix, a host).
    public static func parseModelsURI(_ source: String) -> ModelsURI? {
        guard source.lowercased().hasPrefix("models:") else { return nil }
        let path = source.dropFirst("models:".count)
        guard path.hasPrefix("/"), !path.hasPrefix("//"), path.count > 1 else { return nil }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let first = parts.first, !first.trimmingWhitespace().isEmpty else { return nil }
        if parts.count == 2 {
            let suffix = parts[1]
            guard !suffix.trimmingWhitespace().isEmpty else { return nil }
            if suffix.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), let number = Int64(suffix) {
                return .version(name: first, version: number)
            }
            if suffix.lowercased() == "latest" { return .latest(name: first) }
            return .stage(name: first, stage: suffix)
        }
        if let at = first.lastIndex(of: "@") {
            let alias = String(first[first.index(after: at)...])
            guard !alias.trimmingWhitespace().isEmpty else { return nil }
            return .alias(name: String(first[..<at]), alias: alias)
        }
        return .loggedModel(id: first)
    }

    /// Whether a (non-local) source holds relative path references, as MLflow's
    /// `_validate_non_local_source_contains_relative_paths` finds them: percent- and plus-decoded
    /// until stable, its URL path with repeated slashes collapsed and the trailing one dropped
    /// must contain no NUL and no `..` segment, and must already be normal (no `.` segment, not
    /// empty). For example `s3://b/../x`, `s3://b/a%2f..%2fx`, `s3://b/x%00` and `s3://b/./x`.
    public static func hasRelativeReferences(_ source: String) -> Bool {
        var decoded = source
        for _ in 0..<16 {
            let next = unquotePlus(decoded)
            if next == decoded { break }
            decoded = next
        }
        var path = urlPath(decoded)
        while path.contains("//") { path = path.replacing("//", with: "/") }
        while path.hasSuffix("/") { path.removeLast() }
        if path.contains("\u{0}") || decoded.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return true }
        guard path.hasPrefix("/") else { return true }
        let normal = "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        return normal != path
    }

    /// MLflow's message for a source with relative path references.
    public static func relativeReferencesMessage(_ source: String) -> String {
        "Invalid model version source: '\(source)'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path."
    }

    /// The path of a URL as `urllib.parse.urlparse` splits it: after the scheme and the `//host`
    /// part, up to a `?` or `#`.
    static func urlPath(_ uri: String) -> String {
        var rest = Substring(uri)
        if let colon = uri.firstIndex(of: ":"), ArtifactLocation.scheme(of: uri) != nil { rest = uri[uri.index(after: colon)...] }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            rest = afterSlashes.firstIndex(where: { "/?#".contains($0) }).map { afterSlashes[$0...] } ?? ""
        }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        return String(rest)
    }

    /// `urllib.parse.unquote_plus`: `+` as a space, `%XX` decoded (invalid escapes kept), the
    /// bytes read as UTF-8 with replacement.
    static func unquotePlus(_ text: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hex(utf8[index + 1]), let low = hex(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
