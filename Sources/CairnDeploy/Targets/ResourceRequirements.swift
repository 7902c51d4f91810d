/// Container resource requests and limits, e.g. `{requests: {cpu: "1", memory: 2Gi}, limits:
/// {nvidia.com/gpu: 1}}`. Extended resources such as GPUs pass through unchanged.
public struct ResourceRequirements: Sendable, Equatable {
    /// Requested quantities by resource name.
    public var requests: [String: Quantity]
    /// Limits by resource name.
    public var limits: [String: Quantity]

    /// Creates requirements; empty by default.
    public init(requests: [String: Quantity] = [:], limits: [String: Quantity] = [:]) {
        self.requests = requests
        self.limits = limits
    }

    /// Whether neither requests nor limits are set.
    public var isEmpty: Bool { requests.isEmpty && limits.isEmpty }
}

/// A Kubernetes resource quantity (`1`, `500m`, `2Gi`, `1e3`), kept as its text.
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// The quantity as written, e.g. `2Gi`.
    public let text: String

    /// Parses a quantity with Kubernetes' grammar (a signed decimal and an optional binary or
    /// decimal suffix or exponent); `nil` when it is not one.
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        self.text = text
    }

    public var description: String { text }

    private static let suffixes: Set<String> = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"]

    private static func isValid(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1 else { return false }
        let suffix = String(rest.dropFirst(number.count))
        if suffixes.contains(suffix) { return true }
        // Decimal exponent: e or E, optional sign, digits.
        guard let first = suffix.first, first == "e" || first == "E" else { return false }
        var digits = suffix.dropFirst()
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
