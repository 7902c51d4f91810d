/// What a token may do: `read` < `write` < `admin`; a higher scope includes the lower ones.
public enum TokenScope: String, Sendable, Hashable, CaseIterable, Comparable {
    /// GET requests and the read-only POSTs (searches, get-latest-versions).
    case read
    /// Logging and creating runs, experiments, versions, tags and aliases.
    case write
    /// Deletes, tokens and promotions.
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rank < rhs.rank }

    /// Parses `read`, `write` or `admin`.
    public init(parsing text: String) throws(CairnError) {
        guard let scope = TokenScope(rawValue: text.lowercased()) else {
            throw .invalidParameter("Invalid scope '\(text)': expected read, write or admin")
        }
        self = scope
    }
}

/// An API token as stored and listed: never its secret, which is shown once at creation.
public struct APIToken: Sendable, Hashable {
    public var name: String
    public var scope: TokenScope
    public var createdAt: Int64
    public var expiresAt: Int64?
    /// Promotion targets a `write` token may promote to; empty means none.
    public var allowedTargets: [String]
    public var lastUsedAt: Int64?
    public var revokedAt: Int64?

    public init(
        name: String, scope: TokenScope, createdAt: Int64, expiresAt: Int64? = nil, allowedTargets: [String] = [], lastUsedAt: Int64? = nil,
        revokedAt: Int64? = nil
    ) {
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.allowedTargets = allowedTargets
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token is usable at `now` (not revoked, not expired).
    public func isActive(at now: Int64) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// Whether the token may promote to `target`: admins anywhere, write tokens to their allowed targets.
    public func mayPromote(to target: String) -> Bool {
        scope == .admin || (scope == .write && allowedTargets.contains(target))
    }

    /// An `allowed_targets` entry: a target name as the targets file allows them (1…63
    /// characters of letters, digits, `-`, `_`, `.`). Commas are refused, so a stored list
    /// reads back as the list written.
    public static func validateTargetName(_ name: String) throws(CairnError) {
        guard !name.isEmpty, name.utf8.count <= 63,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw .invalidParameter(
                "Invalid value '\(name.prefix(100))' in 'allowed_targets': a target name is 1 to 63 letters, digits, '-', '_' or '.'")
        }
    }

    /// Token names: 1…100 characters of letters, digits, `-`, `_`, `.`.
    public static func validateName(_ name: String) throws(CairnError) {
        guard !name.isEmpty, name.count <= 100,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw .invalidParameter("Invalid token name '\(name)': use 1 to 100 letters, digits, '-', '_' or '.'")
        }
    }
}
