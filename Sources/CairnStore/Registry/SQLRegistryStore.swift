import CairnCore

/// ``RegistryStore`` over any ``SQLDatabase`` (PostgreSQL or SQLite), beside the tracking store
/// whose runs and logged models it resolves sources against.
public struct SQLRegistryStore: RegistryStore {
    public let database: any SQLDatabase
    let tracking: SQLTrackingStore

    public init(tracking: SQLTrackingStore) {
        self.database = tracking.database
        self.tracking = tracking
    }

    var dialect: SQLDialect { database.dialect }

    static let modelColumns = "m.name, m.creation_time, m.last_updated_time, m.description, m.user_id"

    public func createRegisteredModel(name: String, tags: [Tag], description: String?, actor: Principal) async throws -> RegisteredModel {
        try RegistryRules.validateModelName(name)
        for tag in tags { try RegistryRules.validateTag(tag) }
        let now = Clock.nowMillis()
        do {
            try await database.withTransaction { tx in
                try await tx.execute(
                    "INSERT INTO registered_models (name, creation_time, last_updated_time, description, user_id) VALUES ($1, $2, $2, $3, $4)",
                    [.text(name), .int(now), .text(description ?? ""), .text(actor.auditName)]
                )
                for tag in tags { try await Self.upsertModelTag(name: name, tag: tag, tx) }
                let after = try await Self.loadModels(Self.modelQuery(name: name, dialect: tx.dialect), tx).first
                try await AuditLog.record(
                    entity: name, action: "create_registered_model", actor: actor, before: nil, after: after.map(RegistrySnapshot.model), tx)
            }
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            throw CairnError.alreadyExists("Registered Model (name=\(name)) already exists.")
        }
        return try await registeredModel(name: name)
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        guard let model = try await Self.loadModels(Self.modelQuery(name: name, dialect: dialect), database).first else {
            throw CairnError.notFound("Registered Model with name=\(name) not found")
        }
        return model
    }

    public func renameRegisteredModel(name: String, newName: String, actor: Principal) async throws -> RegisteredModel {
        try RegistryRules.validateModelName(newName)
        do {
            try await change(name, action: "rename_registered_model", actor: actor) { tx in
                try await tx.execute(
                    "UPDATE registered_models SET name = $1, last_updated_time = $2 WHERE name = $3",
                    [.text(newName), .int(Clock.nowMillis()), .text(name)])
                return newName
            }
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            throw CairnError.alreadyExists("Registered Model (name=\(newName)) already exists.")
        }
        return try await registeredModel(name: newName)
    }

    public func updateRegisteredModel(name: String, description: String?, actor: Principal) async throws -> RegisteredModel {
        try await change(name, action: "update_registered_model", actor: actor) { tx in
            if let description {
                try await tx.execute(
                    "UPDATE registered_models SET description = $1, last_updated_time = $2 WHERE name = $3",
                    [.text(description), .int(Clock.nowMillis()), .text(name)])
            }
            return name
        }
        return try await registeredModel(name: name)
    }

    public func deleteRegisteredModel(name: String, actor: Principal) async throws {
        try await change(name, action: "delete_registered_model", actor: actor) { tx in
            try await tx.execute("DELETE FROM registered_models WHERE name = $1", [.text(name)])
            return nil
        }
    }

    public func searchRegisteredModels(_ request: RegistrySearchRequest) async throws -> Page<RegisteredModel> {
        let (offset, limit) = try SQLPaging.bounds(
            maxResults: request.maxResults, ceiling: RegistryRules.maxModelSearchResults, pageToken: request.pageToken)
        var builder = SQLBuilder("SELECT \(Self.modelColumns) FROM registered_models m WHERE ", dialect: dialect)
        let compiled = try RegisteredModelSearchCompiler.compile(filter: request.filter, orderBy: request.orderBy, into: &builder)
        builder.append("\(builder.dialect.deadlineCheck)\(compiled.whereSQL) ORDER BY \(compiled.orderBySQL)")
        builder.append(" LIMIT \(builder.bind(.int(Int64(limit + 1)))) OFFSET \(builder.bind(.int(Int64(offset))))")
        return SQLPaging.page(try await Self.loadModels(builder, database), offset: offset, limit: limit)
    }

    public func setRegisteredModelTag(name: String, tag: Tag, actor: Principal) async throws {
        try RegistryRules.validateTag(tag)
        try await change(name, action: "set_registered_model_tag", actor: actor) { tx in
            try await Self.upsertModelTag(name: name, tag: tag, tx)
            try await tx.execute("UPDATE registered_models SET last_updated_time = $1 WHERE name = $2", [.int(Clock.nowMillis()), .text(name)])
            return name
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String, actor: Principal) async throws {
        try await change(name, action: "delete_registered_model_tag", actor: actor) { tx in
            try await tx.execute("DELETE FROM registered_model_tags WHERE name = $1 AND key = $2", [.text(name), .text(key)])
            return name
        }
    }

    public func latestVersions(name: String, stages: [ModelStage]) async throws -> [ModelVersion] {
        let model = try await registeredModel(name: name)
        let wanted = Set(stages.isEmpty ? ModelStage.allCases : stages)
        return model.latestVersions.filter { wanted.contains($0.currentStage) }
    }

    /// Runs one audited change of a registered model in a transaction: loads the model (404 when
    /// missing) as the "before" snapshot, applies `body`, which returns the model's name
    /// afterwards (nil when deleted), and records the event under the old and the new name.
    func change(_ name: String, action: String, actor: Principal, _ body: @Sendable @escaping (any SQLExecutor) async throws -> String?) async throws
    {
        try await database.withTransaction { tx in
            guard let before = try await Self.loadModels(Self.modelQuery(name: name, dialect: tx.dialect, lock: true), tx).first else {
                throw CairnError.notFound("Registered Model with name=\(name) not found")
            }
            let newName = try await body(tx)
            let after = try await newName.asyncMap { try await Self.loadModels(Self.modelQuery(name: $0, dialect: tx.dialect), tx).first }
            let beforeJSON = RegistrySnapshot.model(before)
            let afterJSON = after.flatMap { $0 }.map(RegistrySnapshot.model)
            try await AuditLog.record(entity: name, action: action, actor: actor, before: beforeJSON, after: afterJSON, tx)
            if let newName, newName != name {
                try await AuditLog.record(entity: newName, action: action, actor: actor, before: beforeJSON, after: afterJSON, tx)
            }
        }
    }

    static func upsertModelTag(name: String, tag: Tag, _ tx: any SQLExecutor) async throws {
        try await tx.execute(
            "INSERT INTO registered_model_tags (name, key, value) VALUES ($1, $2, $3) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value",
            [.text(name), .text(tag.key), .text(tag.value)]
        )
    }

    /// `SELECT` of one model by name; `lock` takes the row lock on PostgreSQL (SQLite's single
    /// writer already serialises the transaction).
    static func modelQuery(name: String, dialect: SQLDialect, lock: Bool = false) -> SQLBuilder {
        var builder = SQLBuilder("SELECT \(modelColumns) FROM registered_models m WHERE m.name = ", dialect: dialect)
        builder.append(builder.bind(.text(name)))
        if lock && dialect == .postgres { builder.append(" FOR UPDATE") }
        return builder
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}
