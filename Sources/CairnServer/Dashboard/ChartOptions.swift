import CairnCore
import CairnStore
import Hummingbird

/// A chart view as the URL states it, so every view can be shared: the x axis (`x=step`,
/// `wall` or `relative`), the smoothing weight (`smooth=0.6`, TensorBoard's EMA, 0 to 0.99), the
/// metrics drawn on a log scale (`log=loss,lr`), and a zoomed x range (`from=…&to=…`, in steps,
/// or milliseconds: since the epoch for wall time, since the run's start for relative time).
struct ChartOptions {
    enum XAxis: String {
        case step, wall, relative

        var storeAxis: ChartAxis { self == .step ? .step : .time }
    }

    var x = XAxis.step
    var smoothing = 0.0
    var logKeys: Set<String> = []
    var range: ClosedRange<Int64>?

    init() {}

    /// - Throws: 400 naming the parameter for a value out of its domain.
    init(_ request: Request) throws(CairnError) {
        if let text = request.query("x") {
            guard let axis = XAxis(rawValue: text) else {
                throw .invalidParameter("Invalid value '\(text)' for parameter 'x': expected step, wall or relative")
            }
            x = axis
        }
        if let text = request.query("smooth") {
            guard let weight = Double(text), (0...0.99).contains(weight) else {
                throw .invalidParameter("Invalid value '\(text)' for parameter 'smooth': expected a number from 0 to 0.99")
            }
            smoothing = weight
        }
        logKeys = Set(DashboardFormat.list(request.query("log")))
        switch (request.query("from"), request.query("to")) {
        case (nil, nil): break
        case (let from?, let to?):
            guard let low = Int64(from), let high = Int64(to), low <= high else {
                throw .invalidParameter("Invalid zoom range from=\(from) to=\(to): expected two whole numbers, from <= to")
            }
            range = low...high
        default: throw .invalidParameter("A zoom range needs both 'from' and 'to'")
        }
    }

    /// The URL query of this view with `changes` applied (nil values dropped), for links that
    /// change one setting and keep the rest.
    func query(_ base: [(String, String)] = [], log: Set<String>? = nil, x: XAxis? = nil, smoothing: Double? = nil, zoom: Bool = true)
        -> String
    {
        var items = base
        let axis = x ?? self.x
        if axis != .step { items.append(("x", axis.rawValue)) }
        let weight = smoothing ?? self.smoothing
        if weight > 0 { items.append(("smooth", String(weight))) }
        let keys = log ?? logKeys
        if !keys.isEmpty { items.append(("log", keys.sorted().joined(separator: ","))) }
        // A zoom is in the axis' units: it does not survive a change of axis.
        if zoom, x == nil || x == self.x, let range {
            items.append(("from", String(range.lowerBound)))
            items.append(("to", String(range.upperBound)))
        }
        return DashboardFormat.query(items)
    }

    /// The store's range for a run that started at `start` (relative ranges are shifted by it).
    func storeRange(runStart start: Int64) -> ClosedRange<Int64>? {
        guard let range else { return nil }
        guard x == .relative else { return range }
        let (low, lowOverflow) = range.lowerBound.addingReportingOverflow(start)
        let (high, highOverflow) = range.upperBound.addingReportingOverflow(start)
        return lowOverflow || highOverflow ? range : low...high
    }

    /// A point's x: its step, its timestamp, or milliseconds since `start`.
    func xValue(_ point: Metric, runStart start: Int64) -> Double {
        switch x {
        case .step: Double(point.step)
        case .wall: Double(point.timestamp)
        case .relative: Double(point.timestamp) - Double(start)
        }
    }

    /// The links that switch the x axis and the smoothing, for the page's chart toolbar.
    func toolbar(_ base: [(String, String)], path: String) -> [String: Any] {
        [
            "axes": [XAxis.step, .wall, .relative].map { axis in
                [
                    "label": axis == .step ? "step" : axis == .wall ? "wall time" : "relative time", "current": axis == x,
                    "link": path + "?" + query(base, x: axis),
                ]
            },
            "smoothings": [0.0, 0.6, 0.9].map { weight in
                ["label": weight == 0 ? "none" : String(weight), "current": weight == smoothing, "link": path + "?" + query(base, smoothing: weight)]
            },
            "zoomed": range != nil, "unzoom": path + "?" + query(base, zoom: false),
        ]
    }
}
