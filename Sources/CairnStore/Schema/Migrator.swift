import Foundation
import Logging

/// Applies the numbered SQL files in `schema/<engine>/` that a database has not seen yet, and
/// records each in `cairn_schema_migrations`. On PostgreSQL a session advisory lock makes
/// replicas that start together migrate exactly once.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Hashable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// The advisory-lock key every Cairn replica agrees on ("cairn" in ASCII).
    static let advisoryLockKey: Int64 = 0x63_61_69_72_6e

    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// The migrations bundled with Cairn for an engine, in version order.
    public static func bundledMigrations(for dialect: SQLDialect) throws -> [Migration] {
        let folder = dialect == .postgres ? "postgres" : "sqlite"
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Migrations").appendingPathComponent(folder) else {
            throw SQLDatabaseError(.other, "the schema/\(folder) migrations are missing from the build")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        return try files.compactMap { file -> Migration? in
            guard let version = Int(file.prefix(while: \.isNumber)) else { return nil }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: file, sql: sql)
        }.sorted { $0.version < $1.version }
    }

    /// Applies every pending migration; returns the versions applied now.
    @discardableResult
    public func migrate(_ database: any SQLDatabase, migrations: [Migration]? = nil) async throws -> [Int] {
        let migrations = try migrations ?? Self.bundledMigrations(for: database.dialect)
        if let postgres = database as? PostgresDatabase {
            return try await postgres.withSession { session in
                // A replica waits here while another migrates, for as long as that takes: no
                // statement timeout for this session until the lock is released (RESET goes back
                // to the connection's own setting before the connection returns to the pool).
                // Every statement of the migration, the version table's included, runs in this
                // session, so a replica starting on a busy server does not fail on a slow one.
                try await session.execute("SET statement_timeout = 0")
                do {
                    try await session.execute("SELECT pg_advisory_lock($1)", [.int(Self.advisoryLockKey)])
                    let applied = try await apply(migrations, on: session) { body in
                        try await session.execute("BEGIN")
                        do {
                            try await body(session)
                            try await session.execute("COMMIT")
                        } catch {
                            try? await session.execute("ROLLBACK")
                            throw error
                        }
                    }
                    try await session.execute("SELECT pg_advisory_unlock($1)", [.int(Self.advisoryLockKey)])
                    try await session.execute("RESET statement_timeout")
                    return applied
                } catch {
                    try? await session.execute("SELECT pg_advisory_unlock($1)", [.int(Self.advisoryLockKey)])
                    try? await session.execute("RESET statement_timeout")
                    throw error
                }
            }
        }
        return try await apply(migrations, on: database) { body in try await database.withTransaction { try await body($0) } }
    }

    /// The schema version a database is at (0 when never migrated).
    public func currentVersion(_ database: any SQLExecutor) async throws -> Int {
        try await ensureVersionTable(database)
        let rows = try await database.query("SELECT COALESCE(MAX(version), 0) FROM cairn_schema_migrations", [])
        return Int(rows.first?.int(0) ?? 0)
    }

    /// Applies the pending `migrations`: the version table is read through `executor`, each
    /// migration runs in its own transaction opened by `inTransaction`.
    private func apply(
        _ migrations: [Migration], on executor: any SQLExecutor,
        inTransaction: (@Sendable (any SQLExecutor) async throws -> Void) async throws -> Void
    ) async throws -> [Int] {
        let current = try await currentVersion(executor)
        if let newest = migrations.map(\.version).max(), current > newest {
            throw SQLDatabaseError(
                .other,
                "the database's schema is at version \(current), newer than this Cairn knows (\(newest)): a newer Cairn migrated it; run that version (or newer), or restore a backup taken before it"
            )
        }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "file": "\(migration.name)"])
            let statements = Self.statements(in: migration.sql)
            try await inTransaction { transaction in
                for statement in statements {
                    try await transaction.execute(statement)
                }
                try await transaction.execute(
                    "INSERT INTO cairn_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.int(Int64(migration.version)), .text(migration.name), .int(Clock.nowMillis())]
                )
            }
            applied.append(migration.version)
        }
        return applied
    }

    private func ensureVersionTable(_ database: any SQLExecutor) async throws {
        try await database.execute(
            "CREATE TABLE IF NOT EXISTS cairn_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
    }

    /// Splits a migration file into statements: everything from `--` to the end of a line is
    /// dropped, then the text is split at every `;` outside a `$$`-quoted function body.
    /// Migration files therefore must not put `--` inside string literals or function bodies, nor
    /// `;` inside string literals (none does).
    static func statements(in sql: String) -> [String] {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            if let comment = line.range(of: "--") { return line[..<comment.lowerBound] }
            return line
        }
        var statements: [String] = []
        var current = ""
        var inBody = false
        var previous: Character?
        for character in lines.joined(separator: "\n") {
            if character == "$" && previous == "$" {
                inBody.toggle()
                previous = nil
            } else {
                previous = character
            }
            if character == ";" && !inBody {
                statements.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
