import CairnCore
import NIOHTTP1

extension CairnClient {
    static let cairn = "/api/cairn/v1"

    /// The promotion targets the server declares.
    public func targets() async throws(ClientError) -> [JSONValue] {
        try await call(.GET, "\(Self.cairn)/targets")["targets"]?.arrayValue ?? []
    }

    /// Starts a promotion of a version (or the version an alias points at) to a target; with
    /// `dryRun`, renders and checks it without applying or recording anything.
    public func promote(model: String, version: Int64?, alias: String?, target: String, dryRun: Bool) async throws(ClientError) -> JSONValue {
        var body: JSONValue = ["model": .string(model), "target": .string(target)]
        if let version { body["version"] = .string(String(version)) }
        if let alias { body["alias"] = .string(alias) }
        if dryRun { body["dry_run"] = .bool(true) }
        return try await call(.POST, "\(Self.cairn)/promotions", body: body)
    }

    /// Re-applies what served on `target` before its current deployment.
    public func rollback(target: String) async throws(ClientError) -> JSONValue {
        try await call(.POST, "\(Self.cairn)/targets/\(PercentEncoding.encodeComponent(target))/rollback")
    }

    /// Ledger entries, newest first.
    public func deployments(target: String?, model: String?, limit: Int) async throws(ClientError) -> [JSONValue] {
        var query = [("max_results", String(limit))]
        if let target { query.append(("target", target)) }
        if let model { query.append(("model", model)) }
        return try await call(.GET, "\(Self.cairn)/deployments", query: query)["deployments"]?.arrayValue ?? []
    }

    /// One ledger entry.
    public func deployment(id: String) async throws(ClientError) -> JSONValue {
        try await call(.GET, "\(Self.cairn)/deployments/\(PercentEncoding.encodeComponent(id))")["deployment"] ?? .null
    }
}
