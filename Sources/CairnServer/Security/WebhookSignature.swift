import CairnCore
import Crypto
import Foundation

/// The CI webhook's signature: `X-Cairn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
/// "<t>." + raw body)>`. The timestamp must be within ``tolerance`` of the server's clock, so a
/// captured request cannot be replayed later; comparison is constant-time.
public enum WebhookSignature {
    public static let header = "X-Cairn-Signature"
    public static let tolerance: Int64 = 300

    /// The header value for `body` signed at `timestamp` (what a CI job sends).
    public static func sign(body: [UInt8], secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(hex(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Checks a header against the raw body.
    /// - Throws: 401 `UNAUTHENTICATED` for a missing, malformed, stale or wrong signature.
    public static func verify(header: String?, body: [UInt8], secret: String, now: Int64) throws(CairnError) {
        guard let header, !header.isEmpty else { throw .init(.unauthenticated, "Missing \(Self.header) header") }
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw .init(.unauthenticated, "Malformed \(Self.header) header: expected t=<unix seconds>,v1=<hex hmac>")
        }
        guard abs(now - timestamp) <= tolerance else {
            throw .init(.unauthenticated, "Stale signature: its timestamp is more than \(tolerance) s from the server's clock")
        }
        let expected = Array(hex(mac(body: body, secret: secret, timestamp: timestamp)).utf8)
        guard signatures.contains(where: { ConstantTime.equal($0.utf8, expected) }) else {
            throw .init(.unauthenticated, "Invalid signature")
        }
    }

    static func mac(body: [UInt8], secret: String, timestamp: Int64) -> [UInt8] {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

}
