import CairnCore

/// The scheme, host and port of an S3 endpoint (`http://127.0.0.1:8333`).
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?

    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses `http[s]://host[:port][/]`.
    /// - Throws: ``CairnError`` 400 for anything else.
    public init(parsing text: String) throws(CairnError) {
        let scheme: String
        if text.hasPrefix("http://") {
            scheme = "http"
        } else if text.hasPrefix("https://") {
            scheme = "https"
        } else {
            throw .invalidParameter("Invalid S3 endpoint '\(text)': expected http://host[:port] or https://host[:port]")
        }
        let authority = text.dropFirst(scheme.count + 3).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                throw .invalidParameter("Invalid S3 endpoint '\(text)': bad port")
            }
            port = value
            host = authority[..<colon]
        }
        guard !host.isEmpty else { throw .invalidParameter("Invalid S3 endpoint '\(text)': no host") }
        self.init(scheme: scheme, host: String(host), port: port)
    }

    /// `host` or `host:port` when the port is not the scheme's default (the `Host` header).
    public var authority: String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return host }
        return "\(host):\(port)"
    }

    public var description: String { "\(scheme)://\(authority)" }
}
