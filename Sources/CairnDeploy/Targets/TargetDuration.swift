/// Durations in the targets file: a sequence of whole numbers with units `h`, `m`, `s`, e.g.
/// `90s`, `10m`, `1h`, `1h30m`.
public enum TargetDuration {
    /// Parses a duration; `nil` when the text is not one, or is zero.
    public static func parse(_ text: String) -> Duration? {
        var seconds: Int64 = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits.append(Character(String(digit)))
                continue
            }
            let unit: Int64
            switch character {
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let value = Int64(digits), value <= 1_000_000 else { return nil }
            seconds += value * unit
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty, seconds > 0 else { return nil }
        return .seconds(seconds)
    }

    /// The text of whole seconds in the largest unit that divides them: `1h`, `10m`, `90s`, `90m`.
    public static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
