import Foundation
import Testing

@testable import CairnServer

@Suite struct DashboardTextTests {
    @Test func coordinatesHaveOneDecimalAndRoundHalfAwayFromZero() {
        #expect(SVGLineChart.format(12.34) == "12.3")
        #expect(SVGLineChart.format(12.35) == "12.4")
        #expect(SVGLineChart.format(0) == "0.0")
        #expect(SVGLineChart.format(-0.04) == "0.0")
        #expect(SVGLineChart.format(-0.06) == "-0.1")
        #expect(SVGLineChart.format(-123.45) == "-123.5")
        #expect(SVGLineChart.format(987_654_321_012.34) == "987654321012.3")
        #expect(SVGLineChart.format(.nan) == "0" && SVGLineChart.format(2e15) == "0")
    }

    @Test func tickLabelsAreShortWithoutTrailingZeros() {
        #expect(SVGLineChart.label(0.5) == "0.5")
        #expect(SVGLineChart.label(2) == "2")
        #expect(SVGLineChart.label(-1.25) == "-1.25")
        #expect(SVGLineChart.label(0.001) == "0.001")
        #expect(SVGLineChart.label(123_456.78901) == "123456.789")
        #expect(SVGLineChart.label(0) == "0" && SVGLineChart.label(-0.0) == "0")
        #expect(SVGLineChart.label(0.00012) == "0.00012")
        #expect(SVGLineChart.label(2_500_000) == "2.5e+06")
    }

    @Test func numbersMatchPrintfWithinItsRange() {
        for value in [0.5, 0.123456789, -2.5e-4, 12345.6789, 999_999.4, 1.0 / 3, 0.1 + 0.2, -42.0000001, 7e-5, 123_456_789.0] {
            #expect(DecimalText.significant(value) == String(format: "%.6g", value), "\(value)")
        }
        for (value, decimals) in [(1.25, 1), (0.0004, 3), (-3.14159, 2), (1234.5678, 0), (0.26, 1)] {
            #expect(DecimalText.fixed(value, decimals: decimals) == String(format: "%.\(decimals)f", value), "\(value) \(decimals)")
        }
    }

    @Test func timesAreUTCCivilDates() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        for millis: Int64 in [1, 951_782_400_000, 1_700_000_000_123, 4_102_444_799_000, 1_709_164_800_000, 253_402_300_799_000] {
            #expect(DashboardFormat.time(millis) == formatter.string(from: Date(timeIntervalSince1970: Double(millis / 1000))), "\(millis)")
        }
        #expect(DashboardFormat.time(nil) == "" && DashboardFormat.time(0) == "")
    }
}
