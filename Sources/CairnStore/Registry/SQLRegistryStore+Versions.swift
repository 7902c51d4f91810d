import CairnCore

extension SQLRegistryStore {
    public func createModelVersion(_ request: CreateModelVersionRequest, actor: Principal) async throws -> ModelVersion {
        try RegistryRules.validateModelName(request.name)
        for tag in request.tags { try RegistryRules.validateTag(tag) }
        let resolved = try await ModelSourceResolver(tracking: tracking, registry: self).resolve(request)
        let now = Clock.nowMillis()
        let created = try await database.withTransaction { tx -> ModelVersion in
            let counter = try await tx.query(
                "UPDATE registered_models SET next_version = next_version + 1, last_updated_time = $1 WHERE name = $2 RETURNING next_version - 1",
                [.int(now), .text(request.name)]
            )
            guard let number = counter.first?.int(0) else {
                throw CairnError.notFound("Registered Model with name=\(request.name) not found")
            }
            try await tx.execute(
                """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id, current_stage, description, source,
                    run_id, run_link, model_id, storage_location, status)
                VALUES ($1, $2, $3, $3, $4, 'None', $5, $6, $7, $8, $9, $10, 'READY')
                """,
                [
                    .text(request.name), .int(number), .int(now), .text(actor.auditName), .text(request.description ?? ""), .text(resolved.source),
                    .text(resolved.runID), .text(request.runLink ?? ""), .text(resolved.modelID), .text(resolved.storageLocation),
                ]
            )
            for tag in request.tags { try await Self.upsertVersionTag(name: request.name, version: number, tag: tag, tx) }
            guard let version = try await Self.version(name: request.name, version: number, tx) else {
                throw CairnError(.internalError, "model version vanished inside its own transaction")
            }
            try await AuditLog.record(
                entity: request.name, action: "create_model_version", actor: actor, before: nil, after: RegistrySnapshot.version(version), tx)
            return version
        }
        if !resolved.modelID.isEmpty, !RegistryRules.isPrompt(request.tags) {
            try await tagLoggedModel(resolved.modelID, with: created)
        }
        return created
    }

    /// Adds the version to the logged model's `mlflow.modelVersions` tag, as MLflow does after
    /// registering a version from a logged model (a read-modify-write of the tag, as in MLflow).
    private func tagLoggedModel(_ modelID: String, with version: ModelVersion) async throws {
        let model: LoggedModel
        do {
            model = try await tracking.loggedModel(id: modelID)
        } catch let error as CairnError where error.code == .resourceDoesNotExist {
            return
        }
        let current = model.tags.first(where: { $0.key == RegistryRules.modelVersionsTag })?.value
        let value = RegistryRules.modelVersionsTag(appending: version.name, version: version.version, to: current)
        _ = try await tracking.setLoggedModelTags(id: modelID, tags: [Tag(key: RegistryRules.modelVersionsTag, value: value)])
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion {
        guard let found = try await Self.version(name: name, version: version, database) else {
            throw CairnError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return found
    }

    public func updateModelVersion(name: String, version: Int64, description: String?, actor: Principal) async throws -> ModelVersion {
        try await changeVersion(name, version, action: "update_model_version", actor: actor) { tx in
            if let description {
                try await tx.execute(
                    "UPDATE model_versions SET description = $1, last_updated_time = $2 WHERE name = $3 AND version = $4",
                    [.text(description), .int(Clock.nowMillis()), .text(name), .int(version)])
            }
            return true
        }
        return try await modelVersion(name: name, version: version)
    }

    public func deleteModelVersion(name: String, version: Int64, actor: Principal) async throws {
        try await changeVersion(name, version, action: "delete_model_version", actor: actor) { tx in
            try await tx.execute("DELETE FROM model_versions WHERE name = $1 AND version = $2", [.text(name), .int(version)])
            return false
        }
    }

    public func searchModelVersions(_ request: RegistrySearchRequest) async throws -> Page<ModelVersion> {
        // MLflow's answers: its store's text for a size below 1, its handler's for one above the
        // ceiling (the value as the query string gave it, so a string).
        guard request.maxResults >= 1 else {
            throw CairnError.invalidParameter("Invalid value for max_results. It must be a positive integer, but got \(request.maxResults)")
        }
        guard request.maxResults <= RegistryRules.maxVersionSearchResults else {
            throw CairnError.invalidParameter(
                MLflowMessages.invalidValue(.string(String(request.maxResults)), parameter: "max_results"))
        }
        let (offset, limit) = try SQLPaging.bounds(
            maxResults: request.maxResults, ceiling: RegistryRules.maxVersionSearchResults, pageToken: request.pageToken)
        var builder = SQLBuilder("SELECT \(Self.versionColumns) FROM model_versions v WHERE ", dialect: dialect)
        let compiled = try ModelVersionSearchCompiler.compile(filter: request.filter, orderBy: request.orderBy, into: &builder)
        builder.append("\(builder.dialect.deadlineCheck)\(compiled.whereSQL) ORDER BY \(compiled.orderBySQL)")
        builder.append(" LIMIT \(builder.bind(.int(Int64(limit + 1)))) OFFSET \(builder.bind(.int(Int64(offset))))")
        return SQLPaging.page(try await Self.loadVersions(builder, database), offset: offset, limit: limit)
    }

    public func downloadURI(name: String, version: Int64) async throws -> String {
        let found = try await modelVersion(name: name, version: version)
        return found.storageLocation.isEmpty ? found.source : found.storageLocation
    }

    public func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExistingVersions: Bool, actor: Principal) async throws
        -> ModelVersion
    {
        if archiveExistingVersions && !(stage == .staging || stage == .production) {
            throw CairnError.invalidParameter(
                "Model version transition cannot archive existing model versions because '\(stage.rawValue)' is not an Active stage. Valid stages are Staging, Production"
            )
        }
        try await changeVersion(name, version, action: "transition_model_version_stage", actor: actor) { tx in
            let now = Clock.nowMillis()
            if archiveExistingVersions {
                try await tx.execute(
                    "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = $1 WHERE name = $2 AND current_stage = $3 AND version <> $4",
                    [.int(now), .text(name), .text(stage.rawValue), .int(version)])
            }
            try await tx.execute(
                "UPDATE model_versions SET current_stage = $1, last_updated_time = $2 WHERE name = $3 AND version = $4",
                [.text(stage.rawValue), .int(now), .text(name), .int(version)])
            return true
        }
        return try await modelVersion(name: name, version: version)
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, actor: Principal) async throws {
        try RegistryRules.validateTag(tag)
        try await changeVersion(name, version, action: "set_model_version_tag", actor: actor) { tx in
            try await Self.upsertVersionTag(name: name, version: version, tag: tag, tx)
            return true
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String, actor: Principal) async throws {
        try await changeVersion(name, version, action: "delete_model_version_tag", actor: actor) { tx in
            try await tx.execute(
                "DELETE FROM model_version_tags WHERE name = $1 AND version = $2 AND key = $3", [.text(name), .int(version), .text(key)])
            return true
        }
    }

    public func setAlias(name: String, alias: String, version: Int64, expectedVersion: Int64?, actor: Principal) async throws {
        try RegistryRules.validateAlias(alias)
        try await changeVersion(name, version, action: "set_registered_model_alias", actor: actor) { tx in
            if let expectedVersion {
                // Inside the transaction that holds the model's lock: no other change can move the
                // alias between this check and the write.
                let current =
                    try await tx.query(
                        "SELECT version FROM registered_model_aliases WHERE name = $1 AND alias = $2", [.text(name), .text(alias)]
                    ).first?.int(0) ?? 0
                guard current == expectedVersion else {
                    throw CairnError(
                        .resourceConflict,
                        "Alias '\(alias)' of model '\(name)' \(current == 0 ? "does not exist" : "points at version \(current)"), not \(expectedVersion == 0 ? "nothing" : "version \(expectedVersion)") as expected: it was moved meanwhile"
                    )
                }
            }
            try await tx.execute(
                "INSERT INTO registered_model_aliases (name, alias, version) VALUES ($1, $2, $3) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                [.text(name), .text(alias), .int(version)])
            return true
        }
    }

    public func deleteAlias(name: String, alias: String, actor: Principal) async throws {
        guard let current = try await storedAlias(name: name, alias: alias) else {
            // As MLflow: deleting an alias the model does not have is a no-op (the model must exist).
            _ = try await registeredModel(name: name)
            return
        }
        try await changeVersion(name, current, action: "delete_registered_model_alias", actor: actor) { tx in
            try await tx.execute("DELETE FROM registered_model_aliases WHERE name = $1 AND alias = $2", [.text(name), .text(alias)])
            return true
        }
    }

    /// The version an alias names. `latest` (any case, a name MLflow reserves) is the highest
    /// version, as MLflow resolves it; a missing alias is 400 `INVALID_PARAMETER_VALUE`, as in
    /// MLflow (`load_prompt("prompts:/name@alias")` relies on both).
    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        if alias.lowercased() == "latest" {
            let rows = try await database.query("SELECT MAX(version) FROM model_versions WHERE name = $1", [.text(name)])
            guard let version = rows.first?[0].int else {
                _ = try await registeredModel(name: name)
                throw CairnError.notFound("Latest version not found for model \(name).")
            }
            return try await modelVersion(name: name, version: version)
        }
        guard let version = try await storedAlias(name: name, alias: alias) else {
            _ = try await registeredModel(name: name)
            throw CairnError.invalidParameter("Registered model alias \(alias) not found.")
        }
        return try await modelVersion(name: name, version: version)
    }

    /// The version an alias stored for the model points at, nil when there is no such alias.
    private func storedAlias(name: String, alias: String) async throws -> Int64? {
        let rows = try await database.query(
            "SELECT version FROM registered_model_aliases WHERE name = $1 AND alias = $2", [.text(name), .text(alias)])
        return rows.first?.int(0)
    }

    /// One audited change of a version in a transaction: the version (404 when missing) is the
    /// "before"; `body` returns whether the version still exists afterwards.
    func changeVersion(
        _ name: String, _ version: Int64, action: String, actor: Principal, _ body: @Sendable @escaping (any SQLExecutor) async throws -> Bool
    )
        async throws
    {
        try await database.withTransaction { tx in
            if tx.dialect == .postgres {
                try await tx.execute("SELECT 1 FROM registered_models WHERE name = $1 FOR UPDATE", [.text(name)])
            }
            guard let before = try await Self.version(name: name, version: version, tx) else {
                throw CairnError.notFound("Model Version (name=\(name), version=\(version)) not found")
            }
            let exists = try await body(tx)
            try await tx.execute("UPDATE registered_models SET last_updated_time = $1 WHERE name = $2", [.int(Clock.nowMillis()), .text(name)])
            let after = exists ? try await Self.version(name: name, version: version, tx) : nil
            try await AuditLog.record(
                entity: name, action: action, actor: actor, before: RegistrySnapshot.version(before), after: after.map(RegistrySnapshot.version), tx)
        }
    }

    static func upsertVersionTag(name: String, version: Int64, tag: Tag, _ tx: any SQLExecutor) async throws {
        try await tx.execute(
            """
            INSERT INTO model_version_tags (name, version, key, value) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value
            """,
            [.text(name), .int(version), .text(tag.key), .text(tag.value)]
        )
    }
}
