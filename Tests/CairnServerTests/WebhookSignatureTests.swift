import CairnCore
import Testing

@testable import CairnServer

@Suite struct WebhookSignatureTests {
    let body = Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8)
    let secret = "whsec_test"

    @Test func aSignatureMadeWithTheSecretVerifiesWithinTheWindow() throws {
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_000_000)
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000 + 299)
        // The signer's clock may run up to 30 s ahead of the server's.
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000 - 30)
    }

    @Test func aSignatureMoreThanThirtySecondsAheadIsRefused() {
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_000_000)
        let error = #expect(throws: CairnError.self) { try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000 - 31) }
        #expect(error?.message.contains("ahead") == true)
    }

    /// The request that killed the server (integer overflow in the window check) and its kin:
    /// extreme, signed, fractional, empty and overlong timestamps and digests are 401s.
    @Test(arguments: [
        "t=-9223372036854775808,v1=00", "t=9223372036854775807,v1=" + String(repeating: "0", count: 64),
        "t=-9223372036854775808,v1=" + String(repeating: "0", count: 64), "t=99999999999999999999,v1=" + String(repeating: "0", count: 64),
        "t=-1,v1=" + String(repeating: "0", count: 64), "t=1.5,v1=" + String(repeating: "0", count: 64), "t=,v1=", "t=NaN,v1=00",
        "t=1000000,v1=" + String(repeating: "0", count: 63), "t=1000000,v1=" + String(repeating: "g", count: 64),
        "t=1000000,t=1000000,v1=" + String(repeating: "0", count: 64), String(repeating: "t=1,", count: 500),
        "t=+1000000,v1=" + String(repeating: "0", count: 64),
    ])
    func extremeSignatureHeadersAre401NeverATrap(header: String) {
        for now: Int64 in [0, 1_000_000, Int64.max / 2] {
            let error = #expect(throws: CairnError.self, "\(header)") {
                try WebhookSignature.verify(header: header, body: body, secret: secret, now: now)
            }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func theHMACMatchesOpenSSL() {
        // printf '1000000.{"model":"fraud","alias":"champion","target":"prod"}' | openssl dgst -sha256 -hmac whsec_test
        #expect(
            WebhookSignature.sign(body: body, secret: secret, timestamp: 1_000_000)
                == "t=1000000,v1=b56c123d4e07fb0d0100db0d0198ebd54b865693d3e1ece91634de748c36c285")
    }

    @Test(arguments: [
        ("missing", nil as String?),
        ("malformed", "v1=abc"),
        ("wrong secret", WebhookSignature.sign(body: Array("x".utf8), secret: "other", timestamp: 1_000_000)),
        (
            "stale",
            WebhookSignature.sign(
                body: Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8), secret: "whsec_test", timestamp: 1_000_000 - 301)
        ),
        (
            "from the future",
            WebhookSignature.sign(
                body: Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8), secret: "whsec_test", timestamp: 1_000_000 + 31)
        ),
    ])
    func badSignaturesAre401(label: String, header: String?) {
        let error = #expect(throws: CairnError.self, "\(label)") {
            try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000)
        }
        #expect(error?.code == .unauthenticated)
    }

    @Test func aSignatureOverAnotherBodyDoesNotVerify() {
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_000_000)
        #expect(throws: CairnError.self) {
            try WebhookSignature.verify(
                header: header, body: Array(#"{"model":"fraud","alias":"champion","target":"staging"}"#.utf8), secret: secret, now: 1_000_000)
        }
    }
}
