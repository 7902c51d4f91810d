/// When and how long a client retries a call that failed transiently: the connection refused or
/// reset, or the server answered 429, 502, 503 or 504. Waits grow exponentially with full jitter
/// (AWS's "exponential backoff and jitter"), a `Retry-After` the server sent is honoured, and no
/// retry starts after the budget is spent.
public struct RetryPolicy: Sendable {
    /// How long retries may go on in total, from the first attempt. Zero: no retries.
    public var budget: Duration
    /// The first wait's ceiling.
    public var initialDelay: Duration
    /// The longest single wait.
    public var maximumDelay: Duration

    public init(budget: Duration = .seconds(60), initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(10)) {
        self.budget = budget
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Whether an answer with this status is worth retrying.
    public static func isTransient(status: Int) -> Bool {
        [429, 502, 503, 504].contains(status)
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 0), or nil when the budget
    /// does not allow another attempt.
    /// - Parameters:
    ///   - elapsed: time since the first attempt began.
    ///   - retryAfter: the server's `Retry-After`, if any; waited for in full, never less.
    ///   - random: a number in 0..<1 (the jitter), injectable for tests.
    public func delay(attempt: Int, elapsed: Duration, retryAfter: Duration?, random: Double) -> Duration? {
        let ceiling = min(maximumDelay, initialDelay * Double(1 << min(attempt, 20)))
        var wait = ceiling * random
        if let retryAfter { wait = max(wait, retryAfter) }
        guard elapsed + wait < budget else { return nil }
        return wait
    }

    /// `Retry-After` in seconds (the HTTP-date form is not used by Cairn and is ignored).
    public static func parseRetryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingSpaces()), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 3600))
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
