import CairnCore

extension SQLRegistryStore {
    static let versionColumns = """
        v.name, v.version, v.creation_time, v.last_updated_time, v.user_id, v.current_stage, v.description, v.source, \
        v.run_id, v.run_link, v.model_id, v.storage_location, v.status
        """

    /// Runs a model SELECT (columns ``modelColumns``) and attaches tags, aliases and the latest
    /// version per stage, one query per table (never one per model).
    static func loadModels(_ builder: SQLBuilder, _ db: any SQLExecutor) async throws -> [RegisteredModel] {
        var models = try await db.query(builder).map { row in
            RegisteredModel(
                name: row.string(0), creationTimestamp: row.int(1), lastUpdatedTimestamp: row.int(2), description: row.string(3),
                userID: row.string(4))
        }
        guard !models.isEmpty else { return [] }
        let names = models.map(\.name)
        var tags: [String: [Tag]] = [:]
        var aliases: [String: [ModelAlias]] = [:]
        for row in try await select("name, key, value FROM registered_model_tags", names: names, order: "key", db) {
            tags[row.string(0), default: []].append(Tag(key: row.string(1), value: row.string(2)))
        }
        for row in try await select("name, alias, version FROM registered_model_aliases", names: names, order: "alias", db) {
            aliases[row.string(0), default: []].append(ModelAlias(alias: row.string(1), version: row.int(2)))
        }
        // The newest version per (model, stage), ranked in one pass over the page's versions (a
        // correlated MAX per version ran 1,000 subqueries for a page of 100 models).
        var latest = SQLBuilder(
            """
            SELECT \(versionColumns) FROM (
                SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.name, m.current_stage ORDER BY m.version DESC) AS newest
                FROM model_versions m WHERE
            """, dialect: db.dialect)
        latest.append(" " + SQLTrackingStore.inList("m.name", texts: names, into: &latest) + ") v WHERE v.newest = 1 ORDER BY v.name, v.version")
        var versions: [String: [ModelVersion]] = [:]
        for version in try await loadVersions(latest, db) {
            versions[version.name, default: []].append(version)
        }
        for index in models.indices {
            let name = models[index].name
            models[index].tags = tags[name] ?? []
            models[index].aliases = aliases[name] ?? []
            models[index].latestVersions = versions[name] ?? []
        }
        return models
    }

    /// Runs a version SELECT (columns ``versionColumns``) and attaches tags and aliases.
    static func loadVersions(_ builder: SQLBuilder, _ db: any SQLExecutor) async throws -> [ModelVersion] {
        var versions = try await db.query(builder).map { row in
            ModelVersion(
                name: row.string(0), version: row.int(1), creationTimestamp: row.int(2), lastUpdatedTimestamp: row.int(3), userID: row.string(4),
                currentStage: ModelStage(rawValue: row.string(5)) ?? .none, description: row.string(6), source: row.string(7),
                runID: row.string(8), runLink: row.string(9), modelID: row.string(10), storageLocation: row.string(11), status: row.string(12)
            )
        }
        guard !versions.isEmpty else { return [] }
        let names = Array(Set(versions.map(\.name)))
        var tags: [String: [Tag]] = [:]
        var aliases: [String: [String]] = [:]
        for row in try await select("name, version, key, value FROM model_version_tags", names: names, order: "key", db) {
            tags["\(row.string(0))\u{0}\(row.int(1))", default: []].append(Tag(key: row.string(2), value: row.string(3)))
        }
        for row in try await select("name, version, alias FROM registered_model_aliases", names: names, order: "alias", db) {
            aliases["\(row.string(0))\u{0}\(row.int(1))", default: []].append(row.string(2))
        }
        for index in versions.indices {
            let key = "\(versions[index].name)\u{0}\(versions[index].version)"
            versions[index].tags = tags[key] ?? []
            versions[index].aliases = aliases[key] ?? []
        }
        return versions
    }

    private static func select(_ columnsAndTable: String, names: [String], order: String, _ db: any SQLExecutor) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        for start in stride(from: 0, to: names.count, by: 500) {
            var builder = SQLBuilder("SELECT \(columnsAndTable) WHERE ", dialect: db.dialect)
            builder.append(SQLTrackingStore.inList("name", texts: Array(names[start..<min(start + 500, names.count)]), into: &builder))
            builder.append(" ORDER BY name, \(order)")
            rows += try await db.query(builder)
        }
        return rows
    }

    /// One version by name and number, read inside `db` (a transaction or the database).
    static func version(name: String, version: Int64, _ db: any SQLExecutor) async throws -> ModelVersion? {
        var builder = SQLBuilder("SELECT \(versionColumns) FROM model_versions v WHERE v.name = ", dialect: db.dialect)
        builder.append("\(builder.bind(.text(name))) AND v.version = \(builder.bind(.int(version)))")
        return try await loadVersions(builder, db).first
    }
}
