import CairnCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
import ServiceLifecycle

/// The embedded engine: one SQLite file in WAL mode, one writer connection (transactions are
/// serialised by an async lock, as SQLite allows one writer anyway) and a few reader connections
/// so reads never wait behind a write.
public final class SQLiteDatabase: SQLDatabase, Service {
    public var dialect: SQLDialect { .sqlite }

    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = NIOLockedValueBox(0)
    /// How long a search may run (``SQLDialect/deadlineCheck``); nil for no limit.
    public let statementTimeout: Duration?

    /// What a search's SQL carries where its deadline check goes; ``run`` replaces it with
    /// `cairn_deadline(<unix ms>)`, or `1` when there is no timeout.
    static let deadlineMarker = "cairn_deadline()"
    /// The message the deadline function fails a statement with.
    static let deadlineMessage = "cairn: statement timeout"

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], statementTimeout: Duration?) {
        self.writer = writer
        self.readers = readers
        self.statementTimeout = statementTimeout
    }

    /// `cairn_deadline(ms)`: true until the clock passes `ms`, then an error that ends the
    /// statement (SQLite's own interrupt needs the raw handle, which sqlite-nio keeps private).
    private static let deadlineFunction = SQLiteCustomFunction("cairn_deadline", argumentCount: 1, pure: false) { arguments in
        guard case .integer(let deadline) = arguments.first, Clock.nowMillis() <= Int64(deadline) else {
            throw DeadlinePassed()
        }
        return 1
    }

    private struct DeadlinePassed: Error, CustomStringConvertible {
        var description: String { SQLiteDatabase.deadlineMessage }
    }

    /// Opens (creating if needed) the database file at `path` and its parent directory.
    /// - Parameters:
    ///   - path: the file, or `:memory:` for a private in-memory database (one connection).
    ///   - readerCount: reader connections beside the writer.
    ///   - statementTimeout: how long a search may run before it is stopped with
    ///     ``SQLDatabaseError/Kind/timedOut``; nil for no limit.
    public static func open(path: String, readerCount: Int = 2, statementTimeout: Duration? = nil, logger: Logger) async throws -> SQLiteDatabase {
        if path == ":memory:" {
            let connection = try await SQLiteConnection.open(storage: .memory, logger: logger)
            try await configure(connection, wal: false)
            return SQLiteDatabase(writer: connection, readers: [], statementTimeout: statementTimeout)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw SQLDatabaseError(.unavailable, "cannot create the database directory '\(directory)': \(error.localizedDescription)")
            }
        }
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            try await configure(writer, wal: true)
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await configure(reader, wal: false)
                readers.append(reader)
            }
            return SQLiteDatabase(writer: writer, readers: readers, statementTimeout: statementTimeout)
        } catch let error as SQLiteError {
            throw SQLDatabaseError(.unavailable, "cannot open SQLite database '\(path)': \(error.message)")
        }
    }

    private static func configure(_ connection: SQLiteConnection, wal: Bool) async throws {
        if wal { _ = try await connection.query("PRAGMA journal_mode=WAL", []) }
        // synchronous=FULL: an acknowledged write survives a power loss, not only a crash.
        for pragma in ["PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000", "PRAGMA case_sensitive_like=ON"] {
            _ = try await connection.query(pragma, [])
        }
        try await connection.install(customFunction: deadlineFunction)
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let connection: SQLiteConnection
        if readers.isEmpty {
            connection = writer
        } else {
            let index = nextReader.withLockedValue { value in
                value = (value + 1) % readers.count
                return value
            }
            connection = readers[index]
        }
        let sql = withDeadline(sql)
        if Self.isWrite(sql) {
            return try await writeLock.withLock { try await Self.run(writer, sql, binds) }
        }
        return try await Self.run(connection, sql, binds)
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            let executor = Executor(connection: writer)
            _ = try await Self.run(writer, "BEGIN IMMEDIATE", [])
            do {
                let result = try await body(executor)
                _ = try await Self.run(writer, "COMMIT", [])
                return result
            } catch {
                _ = try? await Self.run(writer, "ROLLBACK", [])
                throw error
            }
        }
    }

    /// As a lifecycle service: waits for graceful shutdown, then closes every connection (SQLite
    /// must be closed before its connections are released).
    /// The close runs in its own task: when the service group is cancelled (the server could not
    /// bind its port, say) this task is cancelled too, and closing must still happen.
    public func run() async throws {
        try? await gracefulShutdown()
        await Task { await self.close() }.value
    }

    public func close() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }

    /// `sql` with its deadline marker (if any) replaced by this statement's deadline.
    private func withDeadline(_ sql: String) -> String {
        guard sql.contains(Self.deadlineMarker) else { return sql }
        guard let statementTimeout else { return sql.replacing(Self.deadlineMarker, with: "1") }
        let deadline = Clock.nowMillis() + statementTimeout.milliseconds
        return sql.replacing(Self.deadlineMarker, with: "cairn_deadline(\(deadline))")
    }

    private static func isWrite(_ sql: String) -> Bool {
        let head = sql.prefix(12).uppercased()
        return !(head.hasPrefix("SELECT") || head.hasPrefix("WITH") || head.hasPrefix("PRAGMA"))
    }

    fileprivate static func run(_ connection: SQLiteConnection, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let data = try binds.map { value throws(SQLDatabaseError) -> SQLiteData in
            switch value {
            case .null: .null
            case .int(let v): .integer(Int(v))
            case .double(let d): d.isNaN ? .null : .float(d)
            case .text(let s): .text(s)
            case .textArray, .intArray, .doubleArray: throw SQLDatabaseError(.other, "SQLite has no array parameters")
            }
        }
        do {
            let rows = try await connection.query(rewritePlaceholders(sql), data)
            return rows.map { row in
                SQLRow(
                    row.columns.map { column in
                        switch column.data {
                        case .integer(let v): .int(Int64(v))
                        case .float(let d): .double(d)
                        case .text(let s): .text(s)
                        case .blob(let buffer): .text(String(buffer: buffer))
                        case .null: .null
                        }
                    })
            }
        } catch let error as SQLiteError {
            let kind: SQLDatabaseError.Kind
            if error.message.contains(deadlineMessage) {
                throw SQLDatabaseError(.timedOut, "the statement ran past the statement timeout")
            } else if error.message.contains("UNIQUE constraint") || error.message.contains("PRIMARY KEY") {
                kind = .uniqueViolation
            } else if error.message.contains("FOREIGN KEY") {
                kind = .foreignKeyViolation
            } else {
                kind = .other
            }
            throw SQLDatabaseError(kind, error.message)
        }
    }

    /// `$12` → `?12`: SQLite's numbered parameters, so one statement text serves both engines.
    static func rewritePlaceholders(_ sql: String) -> String {
        guard sql.contains("$") else { return sql }
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previous: Character = " "
        for character in sql {
            if character == "$" && !(previous.isLetter || previous == "_") {
                out.append("?")
            } else {
                out.append(character)
            }
            previous = character
        }
        return out
    }

    /// The executor handed to a transaction body: every statement goes to the writer.
    private struct Executor: SQLExecutor {
        let connection: SQLiteConnection
        var dialect: SQLDialect { .sqlite }

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            // Inside a transaction the writer is held: no deadline, the transaction's work is the caller's.
            try await SQLiteDatabase.run(connection, sql.replacing(SQLiteDatabase.deadlineMarker, with: "1"), binds)
        }
    }
}
