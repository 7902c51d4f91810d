import Foundation

/// A line chart as inline SVG, drawn on the server: axes with round-number ticks, one path per
/// series (class `series-N` for its colour, `data-series` naming it), a legend, optionally a
/// log-scaled y axis and an EMA-smoothed line over the raw one. The caller hands in points
/// already reduced for the width (``CairnCore/M4Downsampling``), so the SVG stays small whatever
/// the series' length. The `data-*` attributes on the `<svg>` give its plot area and domain, for
/// the page script's read-outs and zoom (the chart needs no script to be read).
struct SVGLineChart {
    /// How x values are labelled: plain numbers (steps), UTC clock times (milliseconds since the
    /// epoch) or durations (milliseconds since the run's start).
    enum XFormat: String {
        case number
        case wallTime = "wall"
        case duration = "relative"
    }

    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    var series: [Series]
    var width = 720
    var height = 240
    var logScale = false
    var xLabel = "step"
    var xFormat = XFormat.number
    /// TensorBoard's smoothing weight (0: none): each line is drawn smoothed by a debiased
    /// exponential moving average, with the raw line faint beneath.
    var smoothing = 0.0

    private let left = 56.0, right = 12.0, top = 12.0, bottom = 36.0

    /// The SVG element.
    func render() -> String {
        let plotted = series.map { s in Series(name: s.name, points: s.points.filter { $0.y.isFinite && (!logScale || $0.y > 0) }) }
        let xs = plotted.flatMap { $0.points.map(\.x) }
        let ys = plotted.flatMap { $0.points.map { transform($0.y) } }
        let label = Self.escape(plotted.map(\.name).joined(separator: ", "))
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else {
            return
                "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(label)\">"
                + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" class=\"empty\">no points</text></svg>"
        }
        let (xLow, xHigh) = x0 == x1 ? (x0 - 1, x1 + 1) : (x0, x1)
        let (yLow, yHigh) = y0 == y1 ? (y0 - 1, y1 + 1) : (y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05)
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(label)\""
            + " data-x0=\"\(xLow)\" data-x1=\"\(xHigh)\" data-y0=\"\(yLow)\" data-y1=\"\(yHigh)\" data-left=\"\(left)\" data-top=\"\(top)\""
            + " data-plot-width=\"\(plotWidth)\" data-plot-height=\"\(plotHeight)\" data-log=\"\(logScale)\" data-x-format=\"\(xFormat.rawValue)\">"
        func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight }
        svg += "<g class=\"axes\"><line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/>"
        for tick in Self.ticks(xLow, xHigh, count: 6) {
            let x = Self.format(px(tick))
            svg += "<line class=\"tick\" x1=\"\(x)\" y1=\"\(top + plotHeight)\" x2=\"\(x)\" y2=\"\(top + plotHeight + 4)\"/>"
            svg += "<text x=\"\(x)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(xTickLabel(tick, span: xHigh - xLow))</text>"
        }
        for tick in Self.ticks(yLow, yHigh, count: 5) {
            let y = Self.format(py(tick))
            svg += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\"/>"
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Self.label(logScale ? pow(10, tick) : tick))</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 4)\" text-anchor=\"middle\" class=\"axis-label\">\(Self.escape(xLabel))</text></g>"
        func path(_ points: [(x: Double, y: Double)]) -> String {
            var path = ""
            path.reserveCapacity(points.count * 12)
            for (n, point) in points.enumerated() {
                path.append(n == 0 ? "M" : "L")
                Self.append(px(point.x), to: &path)
                path.append(" ")
                Self.append(py(transform(point.y)), to: &path)
            }
            return path
        }
        for (index, line) in plotted.enumerated() where !line.points.isEmpty {
            if smoothing > 0 {
                svg += "<path class=\"raw series-\(index % 8)\" d=\"\(path(line.points))\"/>"
                svg +=
                    "<path class=\"series smoothed series-\(index % 8)\" data-series=\"\(Self.escape(line.name))\" data-points=\"\(line.points.count)\" d=\"\(path(Self.smoothed(line.points, weight: smoothing)))\"/>"
            } else {
                svg +=
                    "<path class=\"series series-\(index % 8)\" data-series=\"\(Self.escape(line.name))\" data-points=\"\(line.points.count)\" d=\"\(path(line.points))\"/>"
            }
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

    /// TensorBoard's smoothing: an exponential moving average of the values in x order,
    /// debiased so the first points are not pulled towards zero. (It runs over the reduced
    /// points the chart draws; their spikes are the series' own, so the smoothed line is as
    /// TensorBoard draws it at this resolution.)
    static func smoothed(_ points: [(x: Double, y: Double)], weight: Double) -> [(x: Double, y: Double)] {
        var last = 0.0
        var count = 0.0
        return points.map { point in
            last = last * weight + (1 - weight) * point.y
            count += 1
            return (point.x, last / (1 - pow(weight, count)))
        }
    }

    /// An x tick: a number, a UTC time of day (with seconds when the axis spans under two
    /// minutes, with the date when it spans days), or a
    /// duration such as `90s`, `12m` or `3h 20m`.
    func xTickLabel(_ value: Double, span: Double) -> String {
        switch xFormat {
        case .number: return Self.label(value)
        case .wallTime:
            let seconds = Int64((value / 1000).rounded(.down))
            let day = seconds.quotientAndRemainder(dividingBy: 86_400)
            let (hour, minute) = (day.remainder / 3600, day.remainder % 3600 / 60)
            let clock =
                span < 120_000
                ? String(format: "%02d:%02d:%02d", Int(hour), Int(minute), Int(day.remainder % 60))
                : String(format: "%02d:%02d", Int(hour), Int(minute))
            guard span > 86_400_000 else { return clock }
            let date = Date(timeIntervalSince1970: Double(seconds))
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            return String(format: "%02d-%02d %@", parts.month ?? 0, parts.day ?? 0, clock)
        case .duration:
            let seconds = value / 1000
            if abs(seconds) < 120 { return Self.label(seconds) + "s" }
            let minutes = Int((seconds / 60).rounded())
            if abs(minutes) < 120 { return "\(minutes)m" }
            return "\(minutes / 60)h \(abs(minutes % 60))m"
        }
    }

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

    /// A tick label: short, without trailing zeros (at most four decimals).
    static func label(_ value: Double) -> String {
        if value != 0 && (abs(value) >= 1e6 || abs(value) < 1e-3) { return String(format: "%.2g", value) }
        var text = DecimalText.fixed(value, decimals: 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A coordinate with one decimal (`12.3`), written without Foundation's formatter: a chart
    /// of ten lines writes tens of thousands of them.
    static func format(_ value: Double) -> String {
        var text = ""
        append(value, to: &text)
        return text
    }

    /// Appends ``format(_:)``'s text to `text` without interpolation or Foundation (a path's tens
    /// of thousands of coordinates are most of a chart's cost).
    static func append(_ value: Double, to text: inout String) {
        guard value.isFinite, abs(value) < 1e15 else {
            text.append("0")
            return
        }
        let tenths = Int64((value * 10).rounded())
        if tenths < 0 { text.append("-") }
        text.append(String(tenths.magnitude / 10))
        text.append(".")
        text.append(String(tenths.magnitude % 10))
    }

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
