import CairnCore
import Foundation

/// Writes and reads the append-only audit log. Entities are named `model:NAME`.
enum AuditLog {
    static func entity(model name: String) -> String { "model:\(name)" }

    /// Appends one event (inside the caller's transaction, so it commits with the change).
    static func record(
        entity modelName: String, action: String, actor: Principal, before: String?, after: String?, _ tx: any SQLExecutor
    ) async throws {
        try await tx.execute(
            "INSERT INTO audit_events (entity, action, actor, occurred_at, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                .text(entity(model: modelName)), .text(action), .text(actor.auditName), .int(Clock.nowMillis()),
                before.map(SQLValue.text) ?? .null, after.map(SQLValue.text) ?? .null,
            ]
        )
    }
}

/// JSON snapshots of registry entities for the audit log's before/after.
enum RegistrySnapshot {
    static func model(_ model: RegisteredModel) -> String {
        encode([
            "name": model.name, "description": model.description,
            "tags": Dictionary(model.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b }),
            "aliases": Dictionary(model.aliases.map { ($0.alias, String($0.version)) }, uniquingKeysWith: { _, b in b }),
        ])
    }

    static func version(_ version: ModelVersion) -> String {
        encode([
            "name": version.name, "version": String(version.version), "stage": version.currentStage.rawValue,
            "description": version.description, "source": version.source, "run_id": version.runID,
            "tags": Dictionary(version.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b }),
            "aliases": version.aliases,
        ])
    }

    private static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension SQLRegistryStore {
    public func auditEvents(entity: String, maxResults: Int, pageToken: String?) async throws -> Page<AuditEvent> {
        let (offset, limit) = try SQLPaging.bounds(maxResults: maxResults, ceiling: 1000, pageToken: pageToken)
        var builder = SQLBuilder(
            "SELECT id, entity, action, actor, occurred_at, before_json, after_json FROM audit_events WHERE entity = ", dialect: dialect)
        builder.append("\(builder.bind(.text(entity))) ORDER BY id DESC")
        builder.append(" LIMIT \(builder.bind(.int(Int64(limit + 1)))) OFFSET \(builder.bind(.int(Int64(offset))))")
        let events = try await database.query(builder).map { row in
            AuditEvent(
                id: row.int(0), entity: row.string(1), action: row.string(2), actor: row.string(3), timestamp: row.int(4),
                before: row.optionalString(5), after: row.optionalString(6))
        }
        return SQLPaging.page(events, offset: offset, limit: limit)
    }
}
