import CairnArtifacts
import Testing

/// SigV4 against published vectors: AWS's generic SigV4 test suite (`aws-sig-v4-test-suite`,
/// credentials AKIDEXAMPLE, service `service`, 2015-08-30T12:36:00Z) and the worked examples of the
/// S3 API reference ("Signature Calculations for the Authorization Header: Transferring Payload
/// in a Single Chunk" and "Query String Authentication"; AKIAIOSFODNN7EXAMPLE, 2013-05-24).
/// The S3 examples include the payload hash, which the SeaweedFS test server does not check.
@Suite struct SigV4SignerTests {
    static let suiteSigner = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = SigV4Timestamp(secondsSince1970: 1_440_938_160)
    static let s3Signer = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let s3Date = SigV4Timestamp(secondsSince1970: 1_369_353_600)
    static let host = (name: "Host", value: "examplebucket.s3.amazonaws.com")

    @Test func timestampsRenderInUTC() {
        #expect(Self.suiteDate.basic == "20150830T123600Z")
        #expect(Self.suiteDate.day == "20150830")
        #expect(Self.s3Date.basic == "20130524T000000Z")
        #expect(SigV4Timestamp(secondsSince1970: 951_782_400).basic == "20000229T000000Z")
        #expect(SigV4Timestamp(secondsSince1970: 0).basic == "19700101T000000Z")
    }

    struct SuiteVector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String)]
        var signature: String
        var testDescription: String { name }
    }

    static let suiteVectors: [SuiteVector] = [
        SuiteVector(
            name: "get-vanilla", method: "GET", path: "/", query: [], signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteVector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [(name: "Param2", value: "value2"), (name: "Param1", value: "value1")],
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteVector(
            name: "get-utf8", method: "GET", path: SigV4Signer.uriEncode("/\u{1234}", keepSlash: true), query: [],
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SuiteVector(
            name: "post-vanilla", method: "POST", path: "/", query: [], signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ]

    @Test(arguments: suiteVectors) func awsTestSuite(_ vector: SuiteVector) {
        var request = SigV4Signer.Request(
            method: vector.method, path: vector.path, query: vector.query, headers: [(name: "Host", value: "example.amazonaws.com")])
        Self.suiteSigner.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        let authorization = request.headers.first { $0.name == "Authorization" }?.value
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(vector.signature)"
        )
        #expect(request.headers.contains { $0.name == "x-amz-date" && $0.value == "20150830T123600Z" })
    }

    @Test func s3GetObjectWithRange() {
        let hash = SigV4Signer.emptyPayloadHash
        #expect(SigV4Signer.hexSHA256([UInt8]()) == hash)
        var request = SigV4Signer.Request(
            method: "GET", path: "/test.txt",
            headers: [Self.host, (name: "Range", value: "bytes=0-9"), (name: "x-amz-content-sha256", value: hash)])
        Self.s3Signer.sign(&request, payloadHash: hash, date: Self.s3Date)
        #expect(
            request.headers.last?.value
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func s3PutObjectSignsThePayloadHash() {
        let hash = SigV4Signer.hexSHA256(Array("Welcome to Amazon S3.".utf8))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        // The key `test$file.text` is encoded once (`$` → %24) and not normalised further.
        let path = "/" + SigV4Signer.uriEncode("test$file.text", keepSlash: true)
        #expect(path == "/test%24file.text")
        var request = SigV4Signer.Request(
            method: "PUT", path: path,
            headers: [
                Self.host, (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"), (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
                (name: "x-amz-content-sha256", value: hash),
            ])
        Self.s3Signer.sign(&request, payloadHash: hash, date: Self.s3Date)
        #expect(
            request.headers.last?.value
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        )
        // A wrong payload hash must change the signature (S3 rejects it; SeaweedFS would not notice).
        var tampered = SigV4Signer.Request(method: "PUT", path: path, headers: Array(request.headers.dropLast(2)))
        Self.s3Signer.sign(&tampered, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(tampered.headers.last?.value != request.headers.last?.value)
    }

    @Test func s3ListObjectsSortsTheQuery() {
        let hash = SigV4Signer.emptyPayloadHash
        var request = SigV4Signer.Request(
            method: "GET", path: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")],
            headers: [Self.host, (name: "x-amz-content-sha256", value: hash)])
        Self.s3Signer.sign(&request, payloadHash: hash, date: Self.s3Date)
        #expect(request.headers.last?.value.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test func s3PresignedGet() {
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [Self.host])
        let query = Self.s3Signer.presignedQuery(for: request, expires: 86400, date: Self.s3Date)
        #expect(
            query
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    @Test func sessionTokenIsSignedInHeadersAndPresignedQueries() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", sessionToken: "tok/en+="), region: "us-east-1")
        var request = SigV4Signer.Request(method: "GET", path: "/k", headers: [Self.host])
        signer.sign(&request, payloadHash: SigV4Signer.unsignedPayload, date: Self.s3Date)
        #expect(request.headers.contains { $0.name == "x-amz-security-token" && $0.value == "tok/en+=" })
        #expect(request.headers.last?.value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token") == true)
        let query = signer.presignedQuery(for: SigV4Signer.Request(method: "GET", path: "/k", headers: [Self.host]), expires: 60, date: Self.s3Date)
        #expect(query.contains("X-Amz-Security-Token=tok%2Fen%2B%3D"))
    }

    @Test func s3PathsAreNeitherNormalisedNorDoubleEncoded() {
        #expect(SigV4Signer.uriEncode("a b/c%d/ü~_.-", keepSlash: true) == "a%20b/c%25d/%C3%BC~_.-")
        #expect(SigV4Signer.uriEncode("a/b") == "a%2Fb")
        // Two paths that a normalising signer would treat alike sign differently.
        let first = SigV4Signer.Request(method: "GET", path: "/bucket/a/./b", headers: [Self.host])
        let second = SigV4Signer.Request(method: "GET", path: "/bucket/a/b", headers: [Self.host])
        let a = Self.s3Signer.authorization(for: first, payloadHash: SigV4Signer.unsignedPayload, date: Self.s3Date)
        let b = Self.s3Signer.authorization(for: second, payloadHash: SigV4Signer.unsignedPayload, date: Self.s3Date)
        #expect(a != b)
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = S3Credentials(accessKeyID: "AK", secretAccessKey: "very-secret", sessionToken: "token")
        #expect(!"\(credentials)".contains("very-secret"))
        #expect(!"\(credentials)".contains("token\""))
    }
}
