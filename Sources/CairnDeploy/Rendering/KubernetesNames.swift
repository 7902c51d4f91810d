/// Kubernetes naming rules, and how Cairn derives object names and label values from model names.
public enum KubernetesNames {
    /// The longest object name Cairn renders, so KServe's suffixes (`-predictor`, `-predictor-00001`,
    /// a canary's predictor name) still fit in a 63-character DNS label.
    public static let maxObjectNameLength = 45

    /// Whether `name` is a DNS-1035 label: a lowercase letter first, then `[a-z0-9-]`, not ending in
    /// `-`, at most `maxLength` characters.
    public static func isDNS1035Label(_ name: String, maxLength: Int = 63) -> Bool {
        guard let first = name.utf8.first, let last = name.utf8.last, name.utf8.count <= maxLength else { return false }
        return isLower(first) && last != UInt8(ascii: "-") && name.utf8.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `name` is a DNS-1123 label (namespaces): like DNS-1035 but may start with a digit.
    public static func isDNS1123Label(_ name: String) -> Bool {
        guard let first = name.utf8.first, let last = name.utf8.last, name.utf8.count <= 63 else { return false }
        return first != UInt8(ascii: "-") && last != UInt8(ascii: "-")
            && name.utf8.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `name` is a DNS-1123 subdomain (Secret and ServiceAccount names): dot-separated
    /// DNS-1123 labels, at most 253 characters.
    public static func isDNS1123Subdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// Whether `value` is a valid label value: empty, or at most 63 characters of `[A-Za-z0-9-_.]`
    /// starting and ending with an alphanumeric.
    public static func isLabelValue(_ value: String) -> Bool {
        if value.isEmpty { return true }
        guard value.utf8.count <= 63, let first = value.utf8.first, let last = value.utf8.last else { return false }
        return isAlnum(first) && isAlnum(last) && value.utf8.allSatisfy { isAlnum($0) || "-_.".utf8.contains($0) }
    }

    /// Whether `key` is a valid label (or annotation, or node selector) key: an optional DNS-1123
    /// subdomain prefix and `/`, then a name of at most 63 characters like a label value.
    public static func isQualifiedName(_ key: String) -> Bool {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts.last ?? "")
        guard !name.isEmpty, isLabelValue(name) else { return false }
        return parts.count == 1 || isDNS1123Subdomain(String(parts[0])) && !parts[0].isEmpty
    }

    /// The object name Cairn derives from a model name: lowercased, runs of other characters turned
    /// into one `-`, a leading `m-` when it would not start with a letter. A name longer than 45
    /// characters is cut and ends in an 8-hex-digit hash of the full model name. Different models
    /// can meet on one name (`Fraud Detector`, `fraud_detector`);
    /// ``collision(model:target:deployedModels:)`` finds that so a promotion can refuse it.
    public static func objectName(forModel model: String) -> String {
        var out = ""
        for scalar in model.unicodeScalars {
            let lower = scalar.properties.lowercaseMapping
            if lower.unicodeScalars.count == 1, let c = lower.unicodeScalars.first, c.isASCII,
                isLower(UInt8(c.value)) || isDigit(UInt8(c.value))
            {
                out.unicodeScalars.append(c)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if out.isEmpty || !isLower(out.utf8.first!) { out = "m-" + out }
        while out.hasSuffix("-") { out.removeLast() }
        guard out.utf8.count > maxObjectNameLength else { return out }
        let suffix = "-" + hashHex(model)
        var base = String(out.prefix(maxObjectNameLength - suffix.count))
        while base.hasSuffix("-") { base.removeLast() }
        return base + suffix
    }

    /// The object name a model gets on a target: the target's `object_name` when set, else derived.
    public static func objectName(forModel model: String, on target: PromotionTarget) -> String {
        target.objectName ?? objectName(forModel: model)
    }

    /// The first of `deployedModels` (other than `model` itself) that gets the same object name as
    /// `model` on `target`, or `nil`. Two models on one object name would overwrite each other, so
    /// a promotion refuses that. With `object_name` set, every other model on the target collides.
    public static func collision(model: String, target: PromotionTarget, deployedModels: some Sequence<String>) -> String? {
        let name = objectName(forModel: model, on: target)
        return deployedModels.first { $0 != model && objectName(forModel: $0, on: target) == name }
    }

    /// A label value carrying `value` as closely as the label rules allow: invalid characters become
    /// `-`, leading and trailing non-alphanumerics are dropped, the result is cut to 63 characters.
    /// The exact value belongs in an annotation.
    public static func labelValue(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar.isASCII, isAlnum(UInt8(scalar.value)) || "-_.".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "-"
            }
        }
        var trimmed = Substring(out).drop { !isAlnum($0.asciiValue ?? 0) }
        trimmed = trimmed.prefix(63)
        while let last = trimmed.last, !isAlnum(last.asciiValue ?? 0) { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// FNV-1a (32-bit) of the UTF-8 bytes, as 8 lowercase hex digits: stable across runs and platforms.
    static func hashHex(_ string: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in string.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLower(byte) || isDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
