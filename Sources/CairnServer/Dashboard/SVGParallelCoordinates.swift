import Foundation

/// A parallel-coordinates plot as inline SVG, drawn on the server: one vertical axis per
/// dimension (a param or a metric), one line per run through its values. A dimension whose
/// values are all numbers gets a linear axis from its lowest to its highest value (labelled at
/// both ends); any other is categorical, its distinct values spread evenly in sorted order. A run
/// lacking a dimension's value breaks its line there.
struct SVGParallelCoordinates {
    struct Dimension {
        var name: String
        /// One value per line, in the order of ``lines``; nil where the run lacks it.
        var values: [String?]
    }

    var lines: [String]
    var dimensions: [Dimension]
    var width = 960
    var height = 300

    private let top = 42.0, bottom = 24.0, side = 60.0

    func render() -> String {
        let label = "parallel coordinates of \(dimensions.count) params and metrics over \(lines.count) runs"
        var svg =
            "<svg class=\"chart parallel\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(SVGLineChart.escape(label))\">"
        guard dimensions.count >= 2, !lines.isEmpty else {
            return svg
                + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" class=\"empty\">needs two or more params or metrics</text></svg>"
        }
        let plotHeight = Double(height) - top - bottom
        let spacing = (Double(width) - 2 * side) / Double(dimensions.count - 1)
        // Per dimension: where each line crosses it (y), and the axis' end labels.
        var positions: [[Double?]] = []
        svg += "<g class=\"axes\">"
        for (index, dimension) in dimensions.enumerated() {
            let x = side + Double(index) * spacing
            let numbers = dimension.values.map { $0.flatMap { Double($0) } }
            let present = dimension.values.compactMap { $0 }
            let isNumeric = !present.isEmpty && zip(dimension.values, numbers).allSatisfy { $0.0 == nil || $0.1 != nil }
            var ys: [Double?]
            var ends: (low: String, high: String)
            if isNumeric {
                let finite = numbers.compactMap { $0 }.filter(\.isFinite)
                let (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
                let span = high > low ? high - low : 1
                ys = numbers.map { value in value.flatMap { $0.isFinite ? top + (1 - ($0 - low) / span) * plotHeight : nil } }
                ends = (SVGLineChart.label(low), SVGLineChart.label(high))
            } else {
                let categories = Array(Set(present)).sorted()
                let step = categories.count > 1 ? plotHeight / Double(categories.count - 1) : 0
                ys = dimension.values.map { value in
                    value.flatMap { categories.firstIndex(of: $0) }.map {
                        top + plotHeight - Double($0) * step + (categories.count == 1 ? -plotHeight / 2 : 0)
                    }
                }
                ends = (categories.first ?? "", categories.last ?? "")
                for (position, category) in categories.enumerated() where categories.count <= 12 {
                    let y = categories.count == 1 ? top + plotHeight / 2 : top + plotHeight - Double(position) * step
                    svg +=
                        "<text class=\"category\" x=\"\(SVGLineChart.format(x + 4))\" y=\"\(SVGLineChart.format(y))\" dominant-baseline=\"middle\">\(SVGLineChart.escape(String(category.prefix(16))))</text>"
                }
            }
            positions.append(ys)
            let px = SVGLineChart.format(x)
            svg += "<line x1=\"\(px)\" y1=\"\(top)\" x2=\"\(px)\" y2=\"\(top + plotHeight)\"/>"
            svg += "<g><title>\(SVGLineChart.escape(dimension.name))</title>"
            svg +=
                "<text class=\"dimension\" x=\"\(px)\" y=\"\(top - 24)\" text-anchor=\"middle\">\(SVGLineChart.escape(String(dimension.name.prefix(18))))</text></g>"
            if isNumeric {
                svg +=
                    "<text x=\"\(px)\" y=\"\(SVGLineChart.format(top + plotHeight + 14))\" text-anchor=\"middle\">\(SVGLineChart.escape(ends.low))</text>"
                svg +=
                    "<text x=\"\(px)\" y=\"\(SVGLineChart.format(top - 8))\" text-anchor=\"middle\" class=\"high\">\(SVGLineChart.escape(ends.high))</text>"
            }
        }
        svg += "</g>"
        for (line, name) in lines.enumerated() {
            var path = ""
            var drawing = false
            for (index, ys) in positions.enumerated() {
                guard let y = ys[line] else {
                    drawing = false
                    continue
                }
                path += "\(drawing ? "L" : "M")\(SVGLineChart.format(side + Double(index) * spacing)) \(SVGLineChart.format(y))"
                drawing = true
            }
            svg +=
                "<path class=\"series series-\(line % 8)\" data-series=\"\(SVGLineChart.escape(name))\" d=\"\(path)\"><title>\(SVGLineChart.escape(name))</title></path>"
        }
        return svg + "</svg>"
    }
}
