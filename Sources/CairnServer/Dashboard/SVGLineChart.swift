import Foundation

/// A line chart as inline SVG, drawn on the server: axes with round-number ticks, one path per
/// series (class `series-N` for its colour, `data-series` naming it), a legend, optionally a
/// log-scaled y axis. The caller hands in points already reduced for the width
/// (``CairnCore/M4Downsampling``), so the SVG stays small whatever the series' length.
struct SVGLineChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    var series: [Series]
    var width = 720
    var height = 240
    var logScale = false
    var xLabel = "step"

    private let left = 56.0, right = 12.0, top = 12.0, bottom = 36.0

    /// The SVG element.
    func render() -> String {
        let plotted = series.map { s in Series(name: s.name, points: s.points.filter { $0.y.isFinite && (!logScale || $0.y > 0) }) }
        let xs = plotted.flatMap { $0.points.map(\.x) }
        let ys = plotted.flatMap { $0.points.map { transform($0.y) } }
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(Self.escape(plotted.map(\.name).joined(separator: ", ")))\">"
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else {
            return svg + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" class=\"empty\">no points</text></svg>"
        }
        let (xLow, xHigh) = x0 == x1 ? (x0 - 1, x1 + 1) : (x0, x1)
        let (yLow, yHigh) = y0 == y1 ? (y0 - 1, y1 + 1) : (y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05)
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight }
        svg += "<g class=\"axes\"><line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/>"
        for tick in Self.ticks(xLow, xHigh, count: 6) {
            let x = Self.format(px(tick))
            svg += "<line class=\"tick\" x1=\"\(x)\" y1=\"\(top + plotHeight)\" x2=\"\(x)\" y2=\"\(top + plotHeight + 4)\"/>"
            svg += "<text x=\"\(x)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(Self.label(tick))</text>"
        }
        for tick in Self.ticks(yLow, yHigh, count: 5) {
            let y = Self.format(py(tick))
            svg += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\"/>"
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Self.label(logScale ? pow(10, tick) : tick))</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 4)\" text-anchor=\"middle\" class=\"axis-label\">\(Self.escape(xLabel))</text></g>"
        for (index, line) in plotted.enumerated() where !line.points.isEmpty {
            var path = ""
            for (n, point) in line.points.enumerated() {
                path += "\(n == 0 ? "M" : "L")\(Self.format(px(point.x))) \(Self.format(py(transform(point.y))))"
            }
            svg +=
                "<path class=\"series series-\(index % 8)\" data-series=\"\(Self.escape(line.name))\" data-points=\"\(line.points.count)\" d=\"\(path)\"/>"
            // A short series also gets a dot per point: one point draws no line.
            if line.points.count <= 50 {
                for point in line.points {
                    svg +=
                        "<circle class=\"dot series-\(index % 8)\" cx=\"\(Self.format(px(point.x)))\" cy=\"\(Self.format(py(transform(point.y))))\" r=\"2.5\"/>"
                }
            }
        }
        if plotted.count > 1 {
            svg += "<g class=\"legend\">"
            for (index, line) in plotted.enumerated() {
                let y = top + 4 + Double(index) * 14
                svg += "<rect class=\"series-\(index % 8)\" x=\"\(left + plotWidth - 150)\" y=\"\(y)\" width=\"10\" height=\"3\"/>"
                svg += "<text x=\"\(left + plotWidth - 136)\" y=\"\(y + 4)\">\(Self.escape(line.name))</text>"
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    private func transform(_ y: Double) -> Double { logScale ? log10(y) : y }

    /// About `count` round-number ticks (1, 2 or 5 times a power of ten) within `low...high`.
    static func ticks(_ low: Double, _ high: Double, count: Int) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = span / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var tick = (low / step).rounded(.up) * step
        var ticks: [Double] = []
        while tick <= high + step * 1e-9, ticks.count < 50 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// A tick label: short, without trailing zeros.
    static func label(_ value: Double) -> String {
        if value != 0 && (abs(value) >= 1e6 || abs(value) < 1e-3) { return String(format: "%.2g", value) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
