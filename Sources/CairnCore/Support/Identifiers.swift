/// Generates the ids and names MLflow clients expect: 32-hex run ids, `m-<32 hex>` logged-model
/// ids, and readable run names such as `brave-owl-417` when a run is created without one.
public enum Identifiers {
    /// A new run id: 128 random bits as 32 lowercase hex characters.
    public static func newRunID() -> String { randomHex(bytes: 16) }

    /// A new logged-model id: `m-` and 32 hex characters.
    public static func newLoggedModelID() -> String { "m-" + randomHex(bytes: 16) }

    /// A random, readable run name, as MLflow generates when none is given.
    public static func newRunName() -> String {
        let adjectives = [
            "able", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "fair", "gentle", "glad", "grand",
            "keen", "kind", "lively", "lucky", "merry", "nimble", "polite", "proud", "quick", "quiet", "rare", "shy",
            "sleek", "smart", "sunny", "swift", "tidy", "vast", "warm", "wise", "witty", "zesty",
        ]
        let nouns = [
            "ant", "bass", "bear", "cairn", "crane", "deer", "dove", "eagle", "elk", "finch", "fox", "frog", "goat",
            "hare", "hawk", "heron", "ibis", "koala", "lark", "lynx", "mole", "moth", "newt", "owl", "panda", "robin",
            "seal", "shrew", "snail", "stork", "swan", "toad", "trout", "wolf", "wren", "yak",
        ]
        var generator = SystemRandomNumberGenerator()
        return
            "\(adjectives.randomElement(using: &generator)!)-\(nouns.randomElement(using: &generator)!)-\(Int.random(in: 0..<1000, using: &generator))"
    }

    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
