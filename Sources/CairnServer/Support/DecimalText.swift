import Foundation

/// Numbers as text without Foundation's `String(format:)`, which costs tens of microseconds a call
/// on Linux: a runs table writes hundreds of values, a page of charts hundreds of tick labels, and
/// the JSON access log one duration per request. Rounding is half to even on the scaled value, as
/// glibc's printf rounds an exact half (it rounds the exact binary value, so where the scaling
/// itself rounds, a last digit may differ: display text only).
enum DecimalText {
    /// `value` with `decimals` (0...9) digits after the point, as `%.Nf` writes it; `-0` is `0`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        guard value.isFinite, abs(value) * scale < 9e18, (0...9).contains(decimals) else {
            return String(format: "%.\(decimals)f", value)
        }
        let scaled = Int64((value * scale).rounded(.toNearestOrEven))
        let magnitude = scaled.magnitude
        let unit = UInt64(scale)
        var text = (scaled < 0 ? "-" : "") + String(magnitude / unit)
        if decimals > 0 {
            let fraction = String(magnitude % unit)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    /// `value` with six significant digits and no trailing zeros, as `%.6g` writes it.
    static func significant(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0" : String(format: "%.6g", value) }
        let exponent = Int(log10(abs(value)).rounded(.down))
        // %g switches to an exponent outside 1e-4..<1e6; so does this (and near a power of ten,
        // where rounding may carry into a seventh digit, it lets Foundation decide).
        guard (-4...5).contains(exponent), abs(value) < 999_999.5 else { return String(format: "%.6g", value) }
        var text = fixed(value, decimals: 5 - exponent)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
