import CairnCore
import Testing

@testable import CairnServer

@Suite struct WebhookSignatureTests {
    let body = Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8)
    let secret = "whsec_test"

    @Test func aSignatureMadeWithTheSecretVerifiesWithinTheWindow() throws {
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_000_000)
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000 + 299)
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_000_000 - 299)
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
        ("stale", WebhookSignature.sign(body: Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8), secret: "whsec_test", timestamp: 1_000_000 - 301)),
        ("from the future", WebhookSignature.sign(body: Array(#"{"model":"fraud","alias":"champion","target":"prod"}"#.utf8), secret: "whsec_test", timestamp: 1_000_000 + 301)),
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
            try WebhookSignature.verify(header: header, body: Array(#"{"model":"fraud","alias":"champion","target":"staging"}"#.utf8), secret: secret, now: 1_000_000)
        }
    }
}
