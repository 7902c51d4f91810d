/// A string compared and hashed by its UTF-8 bytes, as the database compares text.
///
/// Swift's `String` equality is canonical equivalence: `"Å"` spelled U+00C5 equals `"Å"` spelled
/// U+212B. Both are valid metric keys and model names, and PostgreSQL and SQLite keep them apart,
/// so in-memory lookups that stand for a database key (series ids, the latest point per key, the
/// tags, aliases and latest versions of a page of models) use this type.
struct ExactKey: Hashable, Comparable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        sameBytes(lhs.text, rhs.text)
    }

    /// True when `a` and `b` are the same UTF-8 bytes: lengths first, then the contiguous bytes
    /// of native strings (`UTF8View.elementsEqual` walks index by index, 2% of a 1,000-version
    /// search when it compared names).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        let contiguous = x.withContiguousStorageIfAvailable { xs in
            y.withContiguousStorageIfAvailable { ys in xs.elementsEqual(ys) }
        }
        return (contiguous ?? nil) ?? x.elementsEqual(y)
    }

    /// Byte order, as PostgreSQL's "C" collation and SQLite's BINARY sort.
    static func < (lhs: ExactKey, rhs: ExactKey) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
