import CairnCore
import Crypto
import Foundation

/// The CI webhook's signature: `X-Cairn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
/// "<t>." + raw body)>`. The header's shape and its timestamp are checked before the body is read
/// (``parse(header:)``, ``checkWindow(now:)``); the MAC after (``verify(body:secret:)``), in
/// constant time. A timestamp may lie at most ``pastWindow`` seconds behind the server's clock and
/// ``futureSkew`` ahead of it; together with the one-use rule (``replayKey``, kept in the
/// database for the window) a captured call cannot be sent again.
public struct WebhookSignature: Sendable, Equatable {
    public static let header = "X-Cairn-Signature"
    /// How old a signature may be (seconds).
    public static let pastWindow: Int64 = 300
    /// How far ahead of the server's clock a signer's clock may run (seconds).
    public static let futureSkew: Int64 = 30
    /// The longest header accepted: a timestamp and a few digests, far below it.
    static let maximumHeaderLength = 1024
    /// At most this many `v1=` digests (signers rotating secrets send two).
    static let maximumDigests = 4

    /// Unix seconds the signer put in `t=`.
    public let timestamp: Int64
    /// The `v1=` digests, lowercase hex of 32 bytes each.
    public let digests: [String]

    /// The header value for `body` signed at `timestamp` (what a CI job sends).
    public static func sign(body: [UInt8], secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(Hex.encode(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Parses the header's shape: `t=` 1–19 decimal digits, one to four `v1=` digests of 64 hex
    /// digits. Nothing here does arithmetic on the timestamp.
    /// - Throws: 401 `UNAUTHENTICATED` for a missing or malformed header.
    public static func parse(header: String?) throws(CairnError) -> WebhookSignature {
        guard let header, !header.isEmpty else { throw .init(.unauthenticated, "Missing \(Self.header) header") }
        let malformed = CairnError(.unauthenticated, "Malformed \(Self.header) header: expected t=<unix seconds>,v1=<64 hex digits>")
        guard header.utf8.count <= maximumHeaderLength else { throw malformed }
        var timestamp: Int64?
        var digests: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" {
                let digits = pair[1].utf8
                guard timestamp == nil, (1...19).contains(digits.count), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let value = Int64(pair[1])
                else { throw malformed }
                timestamp = value
            } else if pair[0] == "v1" {
                let digest = pair[1].lowercased()
                guard digest.utf8.count == 64, digest.utf8.allSatisfy(Hex.isDigit), digests.count < maximumDigests else { throw malformed }
                digests.append(digest)
            }
        }
        guard let timestamp, !digests.isEmpty else { throw malformed }
        return WebhookSignature(timestamp: timestamp, digests: digests)
    }

    /// Checks the timestamp against the server's clock `now` (unix seconds, a real clock reading):
    /// only comparisons, so no timestamp can overflow anything.
    /// - Throws: 401 `UNAUTHENTICATED` for a timestamp outside the window.
    public func checkWindow(now: Int64) throws(CairnError) {
        guard timestamp >= now - Self.pastWindow else {
            throw .init(.unauthenticated, "Stale signature: its timestamp is more than \(Self.pastWindow) s behind the server's clock")
        }
        guard timestamp <= now + Self.futureSkew else {
            throw .init(.unauthenticated, "Signature from the future: its timestamp is more than \(Self.futureSkew) s ahead of the server's clock")
        }
    }

    /// Checks the MAC over the raw body; returns the digest that matched.
    /// - Throws: 401 `UNAUTHENTICATED` when no digest matches.
    @discardableResult
    public func verify(body: [UInt8], secret: String) throws(CairnError) -> String {
        let expected = Array(Hex.encode(Self.mac(body: body, secret: secret, timestamp: timestamp)).utf8)
        guard let matched = digests.first(where: { ConstantTime.equal($0.utf8, expected) }) else {
            throw .init(.unauthenticated, "Invalid signature")
        }
        return matched
    }

    /// The value a signature is remembered by so it is accepted once: its timestamp and digest.
    public static func replayKey(timestamp: Int64, digest: String) -> String { "\(timestamp).\(digest)" }

    /// Parses, checks the window and verifies in one step.
    /// - Throws: 401 `UNAUTHENTICATED` for a missing, malformed, stale, future or wrong signature.
    public static func verify(header: String?, body: [UInt8], secret: String, now: Int64) throws(CairnError) {
        let signature = try parse(header: header)
        try signature.checkWindow(now: now)
        try signature.verify(body: body, secret: secret)
    }

    static func mac(body: [UInt8], secret: String, timestamp: Int64) -> [UInt8] {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }
}
