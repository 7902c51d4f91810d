import CairnCore

/// A relative artifact path that is known to stay inside the artifact root.
///
/// Built only through ``init(validating:)``, which refuses every spelling of traversal: `..`
/// segments (also percent-encoded once more), absolute paths, backslashes, NUL and control
/// characters, and overlong paths. `.` and empty segments are dropped.
public struct ArtifactPath: Sendable, Hashable, CustomStringConvertible {
    /// The normalised path, segments joined by `/`; empty for the root.
    public let value: String

    /// The maximum length of a path, in UTF-8 bytes (S3's key limit).
    public static let maxLength = 1024

    public static let root = ArtifactPath(unchecked: "")

    private init(unchecked value: String) { self.value = value }

    /// Validates an already percent-decoded path.
    ///
    /// Every refusal says only `Invalid path`, as MLflow's `validate_path_is_safe` does (clients
    /// and MLflow's tests match the text).
    /// - Throws: ``CairnError`` 400 `INVALID_PARAMETER_VALUE` "Invalid path".
    public init(validating raw: String) throws(CairnError) {
        let invalid = CairnError.invalidParameter(MLflowMessages.invalidPath)
        guard raw.utf8.count <= Self.maxLength, !raw.hasPrefix("/"), !raw.contains("\\"),
            !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }), Self.passesMLflowRules(raw)
        else { throw invalid }
        var segments: [Substring] = []
        for segment in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            let decodedAgain = PercentEncoding.decode(segment)
            if segment == ".." || decodedAgain == ".." || decodedAgain.contains("/") || decodedAgain.contains("\\") || decodedAgain.contains("\u{0}")
            {
                throw invalid
            }
            segments.append(segment)
        }
        self.value = segments.joined(separator: "/")
    }

    /// MLflow's `validate_path_is_safe` on top of Cairn's checks: the path percent-decoded until it
    /// no longer changes (`%252e%252e` is `..` too) must not contain `#`, be a `file:` URI of an
    /// unsafe path, be absolute (POSIX or Windows: `C:/x`, `\\server\x`) or have a `..` segment.
    static func passesMLflowRules(_ raw: String) -> Bool {
        var path = raw
        for _ in 0..<8 {
            guard let next = PercentEncoding.strictDecode(path), next != path else { break }
            path = next
        }
        if path.contains("#") { return false }
        if path.lowercased().hasPrefix("file:") {
            // file:///etc and file://host/etc name absolute paths; file:rel a relative one.
            var rest = path.dropFirst("file:".count)
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            }
            path = String(rest)
        }
        let scalars = Array(path.unicodeScalars)
        if path.hasPrefix("/") || path.hasPrefix("\\") { return false }
        if scalars.count >= 2, scalars[0].isASCII, scalars[0].properties.isAlphabetic, scalars[1] == ":" { return false }
        return !path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..")
    }

    /// The store path of a location in Cairn's own store (`mlflow-artifacts:/1/<run>/artifacts`
    /// or `mlflow-artifacts://host/1/…` → `1/<run>/artifacts`); nil for other locations (`s3://…`
    /// of another bucket, local paths) and for paths that do not validate.
    public static func proxied(_ uri: String) -> ArtifactPath? {
        let scheme = "mlflow-artifacts:"
        guard uri.hasPrefix(scheme) else { return nil }
        var relative = uri.dropFirst(scheme.count)
        if relative.hasPrefix("//") {
            relative = relative.dropFirst(2)
            relative = relative.firstIndex(of: "/").map { relative[$0...] } ?? ""
        }
        return try? ArtifactPath(validating: String(relative.drop { $0 == "/" }))
    }

    public var description: String { value }
    public var isRoot: Bool { value.isEmpty }

    /// The last segment.
    public var name: String { String(value.split(separator: "/").last ?? "") }

    /// This path with `child` (a validated relative path) appended.
    public func appending(_ child: ArtifactPath) -> ArtifactPath {
        if value.isEmpty { return child }
        if child.value.isEmpty { return self }
        return ArtifactPath(unchecked: value + "/" + child.value)
    }
}
