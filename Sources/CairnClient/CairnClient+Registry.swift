import CairnCore
import NIOHTTP1

extension CairnClient {
    /// One page of registered models.
    public func searchModels(filter: String?, maxResults: Int, pageToken: String?) async throws(ClientError) -> ResultPage {
        var query = [("max_results", String(maxResults))]
        if let filter { query.append(("filter", filter)) }
        if let pageToken { query.append(("page_token", pageToken)) }
        return try await listing(.GET, "\(Self.mlflow)/registered-models/search", query: query, key: "registered_models")
    }

    /// A registered model (latest versions, aliases, tags).
    public func model(name: String) async throws(ClientError) -> JSONValue {
        try await call(.GET, "\(Self.mlflow)/registered-models/get", query: [("name", name)])["registered_model"] ?? .null
    }

    /// Creates a registered model.
    public func createModel(name: String) async throws(ClientError) -> JSONValue {
        try await call(.POST, "\(Self.mlflow)/registered-models/create", body: ["name": .string(name)])["registered_model"] ?? .null
    }

    /// One page of a model's versions, newest first.
    public func versions(model: String, maxResults: Int, pageToken: String?) async throws(ClientError) -> ResultPage {
        var query = [("filter", "name = '\(model.replacingQuotes())'"), ("max_results", String(maxResults)), ("order_by", "version_number DESC")]
        if let pageToken { query.append(("page_token", pageToken)) }
        return try await listing(.GET, "\(Self.mlflow)/model-versions/search", query: query, key: "model_versions")
    }

    /// Registers a version of `model` from `source`. With an idempotency key, a repeated call
    /// returns the version the key created before instead of a new one.
    public func createVersion(model: String, source: String, runID: String?, idempotencyKey: String?) async throws(ClientError) -> JSONValue {
        var body: JSONValue = ["name": .string(model), "source": .string(source)]
        if let runID { body["run_id"] = .string(runID) }
        let headers = idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        return try await call(.POST, "\(Self.mlflow)/model-versions/create", body: body, headers: headers)["model_version"] ?? .null
    }

    /// Points `alias` of `model` at `version`; with `expectVersion`, only if it points at that
    /// version now (409 otherwise; `0` expects no alias).
    public func setAlias(model: String, alias: String, version: Int64, expectVersion: Int64? = nil) async throws(ClientError) {
        var body: JSONValue = ["name": .string(model), "alias": .string(alias), "version": .string(String(version))]
        if let expectVersion { body["expected_version"] = .string(String(expectVersion)) }
        _ = try await call(.POST, "\(Self.mlflow)/registered-models/alias", body: body)
    }

    /// Removes `alias` of `model`.
    public func deleteAlias(model: String, alias: String) async throws(ClientError) {
        _ = try await call(.DELETE, "\(Self.mlflow)/registered-models/alias", query: [("name", model), ("alias", alias)])
    }

    /// Sets a tag on a model, or on one of its versions.
    public func setTag(model: String, version: Int64?, key: String, value: String) async throws(ClientError) {
        var body: JSONValue = ["name": .string(model), "key": .string(key), "value": .string(value)]
        if let version {
            body["version"] = .string(String(version))
            _ = try await call(.POST, "\(Self.mlflow)/model-versions/set-tag", body: body)
        } else {
            _ = try await call(.POST, "\(Self.mlflow)/registered-models/set-tag", body: body)
        }
    }

    /// One page of the audit log of an entity (`model:NAME`), newest first.
    public func audit(entity: String, maxResults: Int, pageToken: String?) async throws(ClientError) -> ResultPage {
        var query = [("entity", entity), ("max_results", String(maxResults))]
        if let pageToken { query.append(("page_token", pageToken)) }
        return try await listing(.GET, "/api/cairn/v1/audit", query: query, key: "events")
    }
}

extension String {
    /// The text inside a single-quoted search-grammar string.
    func replacingQuotes() -> String {
        var result = ""
        for character in self {
            if character == "'" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
