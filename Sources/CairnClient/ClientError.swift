/// Why a call to a Cairn server failed, with the exit status the `cairn` CLI gives it.
///
/// The kinds follow what a script needs to tell apart (the CLI's exit codes): the operation
/// failed, the command was misused, something was not found, the caller may not, a conflict, a
/// deadline passed, or the server could not be reached (after retries).
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
        /// The server refused the operation (400, 500), or it ended badly (a failed deployment).
        case failed
        /// The command was used wrongly (no server configured, a malformed argument).
        case usage
        /// 404: the experiment, run, model, version, alias, target or deployment does not exist.
        case notFound
        /// 401 or 403: no valid token, or a token without the scope or target needed.
        case notAllowed
        /// 409 or 412: a name taken, a target busy, an alias moved by someone else.
        case conflict
        /// A `--wait` deadline passed.
        case timedOut
        /// The server could not be reached or stayed unavailable (429, 502, 503, 504) after retries.
        case unavailable
        /// The user interrupted the command (Ctrl-C) and it stopped cleanly.
        case interrupted
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The server's `error_code` (`RESOURCE_DOES_NOT_EXIST`), when the server answered.
    public var errorCode: String?
    /// The server's message, or what went wrong on the way.
    public var message: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// How long the server asked to wait before a retry (`Retry-After`).
    public var retryAfter: Duration?

    public init(_ kind: Kind, _ message: String, errorCode: String? = nil, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.errorCode = errorCode
        self.status = status
    }

    /// The failure a non-2xx answer means.
    public static func forStatus(_ status: Int, errorCode: String?, message: String) -> ClientError {
        let kind: Kind =
            switch status {
            case 404: .notFound
            case 401, 403: .notAllowed
            case 409, 412: .conflict
            case 429, 502, 503, 504: .unavailable
            default: .failed
            }
        return ClientError(kind, message, errorCode: errorCode, status: status)
    }

    /// The CLI's exit status: 1 failed, 2 usage, 3 not found, 4 not allowed, 5 conflict,
    /// 6 timed out, 7 unavailable, 130 interrupted.
    public var exitCode: Int32 {
        switch kind {
        case .failed: 1
        case .usage: 2
        case .notFound: 3
        case .notAllowed: 4
        case .conflict: 5
        case .timedOut: 6
        case .unavailable: 7
        case .interrupted: 130
        }
    }

    /// One line: the server's code, then its message.
    public var description: String {
        errorCode.map { "\($0): \(message)" } ?? message
    }
}
