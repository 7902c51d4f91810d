/// One result row's columns read in select-list order, for decoding rows straight into values
/// (``SQLRowDecodable``).
///
/// ``SQLRow`` copies every cell into an ``SQLValue`` first, which is convenient and costs little
/// for small results; for pages of thousands of wide rows (a 1,000-version registry search is
/// 13,000 cells) that copy, its array and its release were a third of the request's CPU. Engines
/// with a direct path (``PostgresDatabase``) read each cell from the driver's bytes instead.
public protocol SQLCells {
    /// The next column as text; `""` for NULL.
    mutating func string() throws -> String
    /// The next column as an integer (booleans as 0 or 1); 0 for NULL.
    mutating func int() throws -> Int64
    /// The next column as a floating-point number; 0 for NULL.
    mutating func double() throws -> Double
    /// The next column as a one-dimensional `int8[]` (PostgreSQL only); `[]` for NULL.
    mutating func intArray() throws -> [Int64]
    /// The next column as a one-dimensional `float8[]` (PostgreSQL only); `[]` for NULL.
    mutating func doubleArray() throws -> [Double]
    /// The next column as a one-dimensional `text[]` (PostgreSQL only); `[]` for NULL, `""` for a
    /// NULL element.
    mutating func stringArray() throws -> [String]
}

/// A value built from one result row, read column by column in select-list order.
public protocol SQLRowDecodable: Sendable {
    init<Cells: SQLCells>(cells: inout Cells) throws
}

/// ``SQLCells`` over an ``SQLRow``: the path of engines without a direct one.
struct SQLRowCells: SQLCells {
    let row: SQLRow
    private var index = 0

    init(_ row: SQLRow) { self.row = row }

    mutating func string() throws -> String {
        try row.string(next())
    }

    mutating func int() throws -> Int64 {
        try row.int(next())
    }

    mutating func double() throws -> Double {
        try row.double(next())
    }

    mutating func intArray() throws -> [Int64] {
        switch row[try next()] {
        case .null: return []
        case .intArray(let values): return values
        case let other: throw SQLDatabaseError.notAnArray(other)
        }
    }

    mutating func doubleArray() throws -> [Double] {
        switch row[try next()] {
        case .null: return []
        case .doubleArray(let values): return values
        case let other: throw SQLDatabaseError.notAnArray(other)
        }
    }

    mutating func stringArray() throws -> [String] {
        switch row[try next()] {
        case .null: return []
        case .textArray(let values): return values
        case let other: throw SQLDatabaseError.notAnArray(other)
        }
    }

    private mutating func next() throws -> Int {
        guard index < row.count else { throw SQLDatabaseError.decoderReadPastLastColumn }
        defer { index += 1 }
        return index
    }
}

extension SQLDatabaseError {
    /// A row decoder asked for an array where the statement selects something else: a programming
    /// error.
    static func notAnArray(_ value: SQLValue) -> SQLDatabaseError {
        SQLDatabaseError(.other, "a row decoder expected an array column, got \(value)")
    }

    /// A row decoder asked for more columns than the statement selects: a programming error,
    /// reported instead of reading the next row's cells.
    static var decoderReadPastLastColumn: SQLDatabaseError {
        SQLDatabaseError(.other, "a row decoder read more columns than the statement selects")
    }
}

extension SQLExecutor {
    /// Runs the statement a builder holds and decodes each row as `Row`.
    public func query<Row: SQLRowDecodable>(_ builder: SQLBuilder, as type: Row.Type) async throws -> [Row] {
        try await query(builder.sql, builder.binds, as: type)
    }

    /// Decodes through ``SQLRow``: the default for engines without a direct path (SQLite).
    public func query<Row: SQLRowDecodable>(_ sql: String, _ binds: [SQLValue], as type: Row.Type) async throws -> [Row] {
        try await query(sql, binds).map { row in
            var cells = SQLRowCells(row)
            return try Row(cells: &cells)
        }
    }
}
