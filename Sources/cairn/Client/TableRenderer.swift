/// Lays out rows as aligned columns, fitted to a width by shortening the widest cells with `…`.
enum TableRenderer {
    /// The table's lines: the header row, then one line per row.
    static func render(headers: [String], rows: [[String]], width: Int?) -> [String] {
        var widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(displayWidth).max() ?? 0
        }
        if let width {
            let gaps = 3 * max(0, headers.count - 1)
            // Shrink the widest column one character at a time until the table fits (no column
            // below its header or 8 characters).
            while widths.reduce(0, +) + gaps > width {
                guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                    widths[widest] > max(8, headers[widest].count)
                else { break }
                widths[widest] -= 1
            }
        }
        func line(_ cells: [String], header: Bool) -> String {
            var parts: [String] = []
            for (column, columnWidth) in widths.enumerated() {
                let cell = fitted(column < cells.count ? cells[column] : "", to: columnWidth)
                let padded = column == widths.count - 1 ? cell : cell + String(repeating: " ", count: columnWidth - displayWidth(cell))
                parts.append(header ? Terminal.bold(padded) : padded)
            }
            var text = parts.joined(separator: "   ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return [line(headers, header: true)] + rows.map { line($0, header: false) }
    }

    /// The cell cut to `width` characters, ending in `…` when cut; one line only.
    static func fitted(_ text: String, to width: Int) -> String {
        let single = text.replacingNewlines()
        guard displayWidth(single) > width else { return single }
        return String(single.prefix(max(0, width - 1))) + "…"
    }

    static func displayWidth(_ text: String) -> Int { text.count }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
