/// How a ranged download of one object is cut into parts: the byte range `bytes` in consecutive
/// pieces of `partSize` bytes (the last one shorter). Pure arithmetic, no I/O.
struct S3PartPlan: Sendable, Hashable {
    /// The bytes to download (offsets into the object).
    let bytes: Range<Int64>
    /// The length of every part but the last.
    let partSize: Int64

    /// - Parameters:
    ///   - bytes: the bytes to download.
    ///   - partSize: the part length; values below 1 are treated as 1.
    init(bytes: Range<Int64>, partSize: Int64) {
        self.bytes = bytes
        self.partSize = max(1, partSize)
    }

    /// The number of parts (0 for an empty range).
    var count: Int {
        Int((bytes.upperBound - bytes.lowerBound + partSize - 1) / partSize)
    }

    /// The byte range of part `index` (0-based, below ``count``).
    func part(_ index: Int) -> Range<Int64> {
        let start = bytes.lowerBound + Int64(index) * partSize
        return start..<min(start + partSize, bytes.upperBound)
    }

    /// The `Range` request header value for `range` (which must not be empty).
    static func rangeHeader(_ range: Range<Int64>) -> String {
        "bytes=\(range.lowerBound)-\(range.upperBound - 1)"
    }

    /// Parses a `Content-Range: bytes FIRST-LAST/TOTAL` answer header.
    /// - Returns: the bytes sent and the object's size; nil for any other form (`bytes */TOTAL`,
    ///   an unknown total `*`, or garbage).
    static func parseContentRange(_ header: String) -> (range: Range<Int64>, total: Int64)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let text = header.dropFirst("bytes ".count)
        let halves = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, let total = Int64(halves[1]) else { return nil }
        let ends = halves[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard ends.count == 2, let first = Int64(ends[0]), let last = Int64(ends[1]) else { return nil }
        guard first >= 0, first <= last, last < total else { return nil }
        return (first..<(last + 1), total)
    }
}
