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
    /// - Throws: ``CairnError`` 400 `INVALID_PARAMETER_VALUE` "Invalid path".
    public init(validating raw: String) throws(CairnError) {
        if raw.utf8.count > Self.maxLength {
            throw .invalidParameter("Invalid path: longer than \(Self.maxLength) bytes")
        }
        if raw.hasPrefix("/") || raw.contains("\\") {
            throw .invalidParameter("Invalid path: '\(raw)' must be relative to the artifact root")
        }
        if raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw .invalidParameter("Invalid path: control characters are not allowed")
        }
        var segments: [Substring] = []
        for segment in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            let decodedAgain = PercentEncoding.decode(segment)
            if segment == ".." || decodedAgain == ".." || decodedAgain.contains("/") || decodedAgain.contains("\\") || decodedAgain.contains("\u{0}")
            {
                throw .invalidParameter("Invalid path: '\(raw)' escapes the artifact root")
            }
            segments.append(segment)
        }
        self.value = segments.joined(separator: "/")
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
