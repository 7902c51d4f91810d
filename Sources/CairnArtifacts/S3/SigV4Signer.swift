import CairnCore
import Crypto
import NIOCore

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for S3 requests: header signing (with a signed
/// payload hash or `UNSIGNED-PAYLOAD`) and presigned query URLs.
///
/// The path given to the signer is the request's path exactly as sent, already URI-encoded once:
/// S3 neither normalises (`/a/./b` stays) nor double-encodes it, unlike other AWS services.
public struct SigV4Signer: Sendable {
    /// `x-amz-content-sha256` value for a body that is not hashed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let credentials: S3Credentials
    public let region: String
    public let service: String

    /// - Parameters:
    ///   - credentials: access key, secret and optional session token.
    ///   - region: the signing region, e.g. `us-east-1`.
    ///   - service: the signing service name; `s3` for S3.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: method, path (URI-encoded once, as sent), query (raw, unencoded pairs)
    /// and headers (including `Host`).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]

        public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// Adds `x-amz-date`, `x-amz-security-token` (with a session token) and `Authorization` to
    /// `request`. The caller sets `x-amz-content-sha256` itself when the service wants it (S3 does).
    /// - Parameters:
    ///   - payloadHash: hex SHA-256 of the body, or ``unsignedPayload``.
    ///   - date: the signing time.
    public func sign(_ request: inout Request, payloadHash: String, date: SigV4Timestamp) {
        request.headers.append((name: "x-amz-date", value: date.basic))
        if let token = credentials.sessionToken {
            request.headers.append((name: "x-amz-security-token", value: token))
        }
        let authorization = self.authorization(for: request, payloadHash: payloadHash, date: date)
        request.headers.append((name: "Authorization", value: authorization))
    }

    /// The `Authorization` header value for `request`, whose headers already hold `x-amz-date`.
    public func authorization(for request: Request, payloadHash: String, date: SigV4Timestamp) -> String {
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        let canonical = [
            request.method, request.path, Self.canonicalQuery(request.query), canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let signature = self.signature(canonicalRequest: canonical, date: date)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The query string of a presigned URL for `request` (only `host` and the request's other
    /// headers are signed; the payload is `UNSIGNED-PAYLOAD`).
    /// - Parameters:
    ///   - expires: validity in seconds (1...604800).
    /// - Returns: the full, encoded query string, ending with `X-Amz-Signature=…`.
    public func presignedQuery(for request: Request, expires: Int, date: SigV4Timestamp) -> String {
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        var query = request.query
        query.append((name: "X-Amz-Algorithm", value: "AWS4-HMAC-SHA256"))
        query.append((name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(scope(date))"))
        query.append((name: "X-Amz-Date", value: date.basic))
        query.append((name: "X-Amz-Expires", value: String(expires)))
        if let token = credentials.sessionToken {
            query.append((name: "X-Amz-Security-Token", value: token))
        }
        query.append((name: "X-Amz-SignedHeaders", value: signedHeaders))
        let canonicalQuery = Self.canonicalQuery(query)
        let canonical = [request.method, request.path, canonicalQuery, canonicalHeaders, signedHeaders, Self.unsignedPayload]
            .joined(separator: "\n")
        return canonicalQuery + "&X-Amz-Signature=" + signature(canonicalRequest: canonical, date: date)
    }

    // MARK: - pieces

    func scope(_ date: SigV4Timestamp) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    func signature(canonicalRequest: String, date: SigV4Timestamp) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256", date.basic, scope(date), Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date)))
    }

    func signingKey(_ date: SigV4Timestamp) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [date.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// Canonical headers (lower-cased names, sorted, values trimmed with inner runs of spaces
    /// collapsed, repeated names joined with commas) and the signed-headers list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        let names = merged.keys.sorted()
        let lines = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    /// Names and values URI-encoded, sorted by name then value, joined with `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in (name: uriEncode(pair.name), value: uriEncode(pair.value)) }
        let sorted = encoded.sorted { (a: (name: String, value: String), b: (name: String, value: String)) -> Bool in
            a.name == b.name ? a.value < b.value : a.name < b.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else `%XX`
    /// (upper-case hex); `/` kept only when `keepSlash` (object keys in paths).
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == 0x2F) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xf)])
            }
        }
        return out
    }

    /// `A-Z a-z 0-9 - _ . ~`
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        let isUpper = byte >= 0x41 && byte <= 0x5A
        let isLower = byte >= 0x61 && byte <= 0x7A
        let isDigit = byte >= 0x30 && byte <= 0x39
        return isUpper || isLower || isDigit || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x7E
    }

    private static let hexDigits: [Character] = Array("0123456789ABCDEF")

    /// Lower-case hex SHA-256 of `bytes`.
    public static func hexSHA256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Lower-case hex SHA-256 of a buffer's readable bytes, without copying them.
    public static func hexSHA256(_ buffer: ByteBuffer) -> String {
        var hasher = SHA256()
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hex(hasher.finalize())
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 { Hex.encode(bytes) }
}
