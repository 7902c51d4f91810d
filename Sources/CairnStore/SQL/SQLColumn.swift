import PostgresNIO

/// A Swift type a result column can be decoded into by
/// ``SQLExecutor/query(_:_:columns:)``: from PostgreSQL's binary cells by postgres-nio's typed
/// row decoding, from SQLite through ``SQLValue``.
///
/// ``SQLRow`` copies every cell into an ``SQLValue`` first, which is convenient and costs little
/// for small results. For pages of thousands of wide rows (a 1,000-version registry search is
/// 13,000 cells) that copy, and postgres-nio's per-cell `PostgresCell`s behind it, were about a
/// third of the request's CPU; decoding a row as a tuple of known types reads each cell once.
public protocol SQLColumn: PostgresDecodable, Sendable {
    /// The value of an ``SQLValue`` cell (the SQLite path); NULL is the type's empty value.
    static func fromSQL(_ value: SQLValue) -> Self
}

extension String: SQLColumn {
    public static func fromSQL(_ value: SQLValue) -> String { value.text ?? "" }
}

extension Int64: SQLColumn {
    public static func fromSQL(_ value: SQLValue) -> Int64 { value.int ?? 0 }
}

extension Double: SQLColumn {
    public static func fromSQL(_ value: SQLValue) -> Double { value.double ?? 0 }
}

/// A nullable column: `nil` for NULL on both engines (the non-optional types throw on a NULL
/// from PostgreSQL, so columns that can be NULL must be read as optionals).
extension Optional: SQLColumn where Wrapped: SQLColumn, Wrapped._DecodableType == Wrapped {
    public static func fromSQL(_ value: SQLValue) -> Wrapped? {
        if case .null = value { return nil }
        return Wrapped.fromSQL(value)
    }
}

extension SQLExecutor {
    /// Runs the statement a builder holds and decodes each row as a tuple of `columns`.
    public func query<each Column: SQLColumn>(_ builder: SQLBuilder, columns: (repeat each Column).Type) async throws -> [(repeat each Column)] {
        try await query(builder.sql, builder.binds, columns: columns)
    }

    /// Runs one statement and decodes each row as a tuple of `columns`: on PostgreSQL straight
    /// from the cells by postgres-nio's tuple decoding, elsewhere through ``SQLRow``.
    ///
    /// The PostgreSQL path is chosen here, by the executor's concrete type, rather than by a
    /// protocol requirement: called through `any SQLExecutor`, a requirement would run
    /// postgres-nio's decoding unspecialised, which measured slower than ``SQLRow``; here it is
    /// specialised for the caller's column types.
    public func query<each Column: SQLColumn>(
        _ sql: String, _ binds: [SQLValue], columns: (repeat each Column).Type
    ) async throws -> [(repeat each Column)] {
        if let postgres = self as? PostgresDatabase {
            return try await postgres.query(sql, binds, columns: columns)
        }
        if let transaction = self as? PostgresDatabase.Executor {
            return try await PostgresDatabase.run(transaction.connection, sql, binds, columns: columns, logger: transaction.logger)
        }
        return try await query(sql, binds).map { row in
            var index = 0
            return (repeat try Self.column((each Column).self, of: row, at: &index))
        }
    }

    private static func column<Column: SQLColumn>(_ type: Column.Type, of row: SQLRow, at index: inout Int) throws -> Column {
        guard index < row.count else { throw SQLDatabaseError.tooManyColumnsDecoded }
        defer { index += 1 }
        return Column.fromSQL(row[index])
    }
}

extension SQLDatabaseError {
    /// A row was decoded as more columns than the statement selects: a programming error,
    /// reported instead of reading past the row.
    static var tooManyColumnsDecoded: SQLDatabaseError {
        SQLDatabaseError(.other, "a row was decoded as more columns than the statement selects")
    }
}
