import CairnCore
import Logging
import NIOCore
import PostgresNIO
import _ConnectionPoolModule

/// How ``PostgresDatabase`` runs one statement on a leased connection: as text, as a prepared
/// fixed or generated statement, with its binds encoded, its rows decoded and its errors
/// translated; and the executor that transactions and sessions hand out.
extension PostgresDatabase {
    @discardableResult
    static func run(_ connection: PostgresConnection, _ sql: String, _ binds: [SQLValue], logger: Logger) async throws -> [SQLRow] {
        try await translatingErrors(on: connection) {
            try await sqlRows(try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings(binds)), logger: logger))
        }
    }

    /// Runs a fixed statement as a named prepared statement (`prepared`): postgres-nio prepares it
    /// on the connection's first use and afterwards only binds and executes it. Otherwise
    /// (`?prepared_statements=false`) its text is sent as any statement's.
    ///
    /// postgres-nio remembers a failed preparation for the connection's lifetime and answers every
    /// later use of that name with the same error, without asking the server. So on any error
    /// that running a prepared statement can raise only when something is wrong beyond the call's
    /// own values (anything but a unique or foreign-key violation or invalid data), the connection
    /// is closed and the pool replaces it: the call fails, the next ones do not.
    static func run<Statement: FixedStatement, Row: SQLRowDecodable>(
        _ connection: PostgresConnection, _ statement: Statement.Type, _ binds: [SQLValue], as type: Row.Type, prepared: Bool,
        logger: Logger
    ) async throws -> [Row] {
        guard prepared else { return try await run(connection, Statement.sql, binds, as: type, logger: logger) }
        return try await closingAfterFailure(of: "fixed statement \(Statement.name)", on: connection, logger: logger) {
            try await translatingErrors(on: connection) {
                try await decodeRows(try await connection.execute(Prepared<Statement>(bindings: bindings(binds)), logger: logger), as: type)
            }
        }
    }

    /// Runs a generated statement (see ``SQLExecutor/queryReusingPlan(_:_:)``) as a named prepared
    /// statement when `names` gives it a name (see ``GeneratedStatement``), prepared on the
    /// connection's first use of the name, and a failure closes the connection as for fixed
    /// statements; otherwise (no name, or `names` nil with `?prepared_statements=false`) as text.
    static func run(
        _ connection: PostgresConnection, reusingPlanOf sql: String, _ binds: [SQLValue], names: GeneratedStatementNames?, logger: Logger
    ) async throws -> [SQLRow] {
        guard let name = names?.name(for: sql, binds: binds) else { return try await run(connection, sql, binds, logger: logger) }
        let text = GeneratedStatement.Text(name: name, sql: sql)
        return try await closingAfterFailure(of: "generated statement \(name)", on: connection, logger: logger) {
            try await translatingErrors(on: connection) {
                try await GeneratedStatement.$current.withValue(text) {
                    try await sqlRows(try await connection.execute(GeneratedStatement(bindings: bindings(binds)), logger: logger))
                }
            }
        }
    }

    /// Runs `body` (one prepared statement); when it fails on anything but the call's own values
    /// (a unique or foreign-key violation, invalid data), closes the connection: postgres-nio
    /// remembers a failed preparation for the connection's life and would fail every later use.
    private static func closingAfterFailure<T>(
        of statement: @autoclosure () -> String, on connection: PostgresConnection, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLDatabaseError {
            if ![.uniqueViolation, .foreignKeyViolation, .invalidData].contains(error.kind) {
                logger.warning("closing a database connection after \(statement()) failed: \(error.message)")
                try? await connection.close()
            }
            throw error
        }
    }

    /// Every row as an ``SQLRow``, each cell converted by ``decode(_:)``.
    private static func sqlRows<Rows: AsyncSequence>(_ rows: Rows) async throws -> [SQLRow] where Rows.Element == PostgresRow {
        var values: [SQLValue] = []
        var columns = 0
        for try await row in rows {
            columns = row.count
            for cell in row {
                values.append(try decode(cell))
            }
        }
        return SQLRow.rows(flat: values, columns: columns)
    }

    /// Each row decoded as `Row` from its cells.
    private static func decodeRows<Rows: AsyncSequence, Row: SQLRowDecodable>(
        _ rows: Rows, as type: Row.Type
    ) async throws -> [Row] where Rows.Element == PostgresRow {
        var decoded: [Row] = []
        for try await row in rows {
            var cells = PostgresCells(row.makeIterator())
            decoded.append(try Row(cells: &cells))
        }
        return decoded
    }

    static func run<Row: SQLRowDecodable>(
        _ connection: PostgresConnection, _ sql: String, _ binds: [SQLValue], as type: Row.Type, logger: Logger
    ) async throws -> [Row] {
        try await translatingErrors(on: connection) {
            try await decodeRows(try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings(binds)), logger: logger), as: type)
        }
    }

    /// Runs `body` (sending one statement on `connection` and consuming its rows) with every
    /// error translated: PSQLError, and postgres-nio's decoding errors from a row decoder, typed
    /// either way, inside transactions too. The statement runs under ``StatementWatch``, so a
    /// connection that closes under it fails it instead of leaving it waiting for ever.
    private static func translatingErrors<Result: Sendable>(
        on connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        do {
            return try await StatementWatch.shared.run(on: connection, body)
        } catch let error as SQLDatabaseError {
            throw error
        } catch {
            throw translate(error)
        }
    }

    /// The binds of one statement in postgres-nio's form.
    private static func bindings(_ binds: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let v): bindings.append(v)
            case .double(let d): bindings.append(d)
            case .text(let s): bindings.append(s)
            case .textArray(let values): bindings.append(values)
            case .intArray(let values): bindings.append(PackedArray(values: values))
            case .doubleArray(let values): bindings.append(PackedArray(values: values))
            }
        }
        return bindings
    }

    /// One cell as an ``SQLValue``: the ``SQLRow`` path, and ``PostgresCells``' fallback for
    /// the types it does not read directly.
    fileprivate static func decode(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .int8Array: return .intArray(try cell.decode([Int64].self))
        case .float8Array: return .doubleArray(try cell.decode([Double].self))
        case .textArray, .varcharArray: return .textArray(try cell.decode([String].self))
        default: return .text(try cell.decode(String.self))
        }
    }

    static func translate(_ error: any Error) -> SQLDatabaseError {
        if error is ConnectionPoolError {
            // The pool refuses leases once no connection could be opened for a while (its circuit
            // breaker) or after it shut down: the database is unavailable, not the request wrong.
            return SQLDatabaseError(.unavailable, "PostgreSQL is unreachable: no connection could be opened")
        }
        guard let error = error as? PSQLError else {
            return SQLDatabaseError(.other, String(describing: error))
        }
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? state
            switch state {
            case "23505": return SQLDatabaseError(.uniqueViolation, message)
            case "23503": return SQLDatabaseError(.foreignKeyViolation, message)
            case "57P01", "57P02", "57P03", "53300": return SQLDatabaseError(.unavailable, message)
            case "57014": return SQLDatabaseError(.timedOut, message)
            // program_limit_exceeded: a value too large for where it goes, e.g. an index entry
            // over the B-tree's ~2,700 bytes (a long key column of a primary key): the request's.
            case "54000": return SQLDatabaseError(.invalidData, "a value is too long to be stored (\(message))")
            default:
                if state.hasPrefix("22") { return SQLDatabaseError(.invalidData, message) }
                return SQLDatabaseError(.other, "\(state): \(message)")
            }
        }
        return SQLDatabaseError(.unavailable, "PostgreSQL is unreachable (\(error.code))")
    }

    struct Executor: SQLExecutor {
        let connection: PostgresConnection
        let logger: Logger
        let preparesStatements: Bool
        let generatedStatements: GeneratedStatementNames
        var dialect: SQLDialect { .postgres }

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await PostgresDatabase.run(connection, sql, binds, logger: logger)
        }

        func query<Row: SQLRowDecodable>(_ sql: String, _ binds: [SQLValue], as type: Row.Type) async throws -> [Row] {
            try await PostgresDatabase.run(connection, sql, binds, as: type, logger: logger)
        }

        func query<Statement: FixedStatement, Row: SQLRowDecodable>(
            _ statement: Statement.Type, _ binds: [SQLValue], as type: Row.Type
        ) async throws -> [Row] {
            try await PostgresDatabase.run(connection, statement, binds, as: type, prepared: preparesStatements, logger: logger)
        }

        func queryReusingPlan(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            let names = preparesStatements ? generatedStatements : nil
            return try await PostgresDatabase.run(connection, reusingPlanOf: sql, binds, names: names, logger: logger)
        }
    }
}

/// A ``FixedStatement`` as postgres-nio's prepared statement (one type per statement, so its
/// name and text are static as postgres-nio requires); rows come back undecoded. The parameter
/// types are those of the first call's binds on each connection (see ``FixedStatement``).
private struct Prepared<Statement: FixedStatement>: PostgresPreparedStatement {
    static var name: String { "cairn_" + Statement.name }
    static var sql: String { Statement.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// ``SQLCells`` read from postgres-nio's cells: binary `text`, `int8` and `float8` straight from
/// their bytes (what nearly every column is), anything else converted as ``SQLRow`` converts it.
private struct PostgresCells: SQLCells {
    private var iterator: PostgresRow.Iterator

    init(_ iterator: PostgresRow.Iterator) { self.iterator = iterator }

    private mutating func next() throws -> PostgresCell {
        guard let cell = iterator.next() else { throw SQLDatabaseError.decoderReadPastLastColumn }
        return cell
    }

    mutating func string() throws -> String {
        let cell = try next()
        guard let bytes = cell.bytes else { return "" }
        if cell.format == .binary, cell.dataType == .text || cell.dataType == .varchar {
            return String(buffer: bytes)
        }
        return try PostgresDatabase.decode(cell).text ?? ""  // as SQLRow reads it
    }

    mutating func int() throws -> Int64 {
        let cell = try next()
        guard let bytes = cell.bytes else { return 0 }
        if cell.format == .binary, cell.dataType == .int8, let value = bytes.getInteger(at: bytes.readerIndex, as: Int64.self) {
            return value
        }
        return try PostgresDatabase.decode(cell).int ?? 0  // as SQLRow reads it
    }

    mutating func double() throws -> Double {
        let cell = try next()
        guard let bytes = cell.bytes else { return 0 }
        if cell.format == .binary, cell.dataType == .float8, let bits = bytes.getInteger(at: bytes.readerIndex, as: UInt64.self) {
            return Double(bitPattern: bits)
        }
        return try PostgresDatabase.decode(cell).double ?? 0  // as SQLRow reads it
    }

    mutating func intArray() throws -> [Int64] {
        let cell = try next()
        guard cell.bytes != nil else { return [] }
        if let bits = Self.packedBits(cell, of: .int8) { return bits.map { Int64(bitPattern: $0) } }
        var row = SQLRowCells(SQLRow([try PostgresDatabase.decode(cell)]))
        return try row.intArray()
    }

    mutating func doubleArray() throws -> [Double] {
        let cell = try next()
        guard cell.bytes != nil else { return [] }
        if let bits = Self.packedBits(cell, of: .float8) { return bits.map(Double.init(bitPattern:)) }
        var row = SQLRowCells(SQLRow([try PostgresDatabase.decode(cell)]))
        return try row.doubleArray()
    }

    mutating func stringArray() throws -> [String] {
        let cell = try next()
        guard cell.bytes != nil else { return [] }
        if let strings = Self.packedStrings(cell) { return strings }
        var row = SQLRowCells(SQLRow([try PostgresDatabase.decode(cell)]))
        return try row.stringArray()
    }

    /// The elements of a binary one-dimensional `text[]`, each read from its length-prefixed bytes
    /// (a NULL element as `""`); `nil` for anything else, which the caller converts the slow way.
    private static func packedStrings(_ cell: PostgresCell) -> [String]? {
        guard let elements = arrayElements(cell, of: .text) else { return nil }
        var bytes = elements.bytes
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for _ in 0..<elements.count {
            guard let length = bytes.readInteger(as: Int32.self) else { return nil }
            if length < 0 {
                strings.append("")
                continue
            }
            guard let string = bytes.readString(length: Int(length)) else { return nil }
            strings.append(string)
        }
        return bytes.readableBytes == 0 ? strings : nil
    }

    /// The element count, whether any element is NULL, and the elements' bytes of a binary
    /// one-dimensional array of `element`s (an empty array has no dimensions); `nil` for anything
    /// else. PostgreSQL's binary array: dimensions, has-NULLs flag, element type, then per
    /// dimension its length and lower bound, then per element its byte length (-1: NULL) and bytes.
    private static func arrayElements(_ cell: PostgresCell, of element: PostgresDataType) -> (count: Int, hasNulls: Bool, bytes: ByteBuffer)? {
        guard cell.format == .binary, var bytes = cell.bytes,
            let dimensions = bytes.readInteger(as: Int32.self), let hasNulls = bytes.readInteger(as: Int32.self),
            let elementType = bytes.readInteger(as: UInt32.self), elementType == element.rawValue
        else { return nil }
        if dimensions == 0 { return (0, false, bytes) }
        guard dimensions == 1, let count = bytes.readInteger(as: Int32.self).map(Int.init), count >= 0,
            bytes.readInteger(as: Int32.self) != nil
        else { return nil }
        return (count, hasNulls != 0, bytes)
    }

    /// The elements of a binary one-dimensional array of 8-byte `element`s without NULLs, read in
    /// one loop over its bytes (postgres-nio's generic array decoding dispatches per element);
    /// `nil` for anything else, which the caller converts the slow way.
    private static func packedBits(_ cell: PostgresCell, of element: PostgresDataType) -> [UInt64]? {
        guard let (count, hasNulls, bytes) = arrayElements(cell, of: element), !hasNulls, bytes.readableBytes == count * 12 else {
            return nil
        }
        return bytes.withUnsafeReadableBytes { raw -> [UInt64]? in
            var values: [UInt64] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                guard raw.loadUnaligned(fromByteOffset: index * 12, as: Int32.self).bigEndian == 8 else { return nil }
                values.append(UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: index * 12 + 4, as: UInt64.self)))
            }
            return values
        }
    }
}

/// A one-dimensional `int8[]` or `float8[]` bind written in PostgreSQL's binary array format in
/// one tight loop: postgres-nio's generic `Array` encoding dispatches per element, which `perf`
/// showed at about 15% of Cairn's CPU per 1,000-point log-batch (five such arrays per batch).
/// The elements are stored straight into the buffer's memory after one capacity check: writing
/// each length and value with `ByteBuffer.writeInteger` was still 6% of that CPU.
private struct PackedArray<Element: PostgresArrayEncodable & EightByteElement>: PostgresNonThrowingEncodable {
    let values: [Element]

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: UInt32.self)  // dimensions
        buffer.writeInteger(0, as: Int32.self)  // no NULLs
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: values.count * 12) { memory in
            var offset = 0
            for value in values {  // each element: its length (8), then its 8 bytes, big-endian
                memory.storeBytes(of: UInt32(8).bigEndian, toByteOffset: offset, as: UInt32.self)
                memory.storeBytes(of: value.bits.bigEndian, toByteOffset: offset + 4, as: UInt64.self)
                offset += 12
            }
            return offset
        }
    }
}

/// An element of a ``PackedArray``: eight bytes, sent as this bit pattern.
private protocol EightByteElement {
    var bits: UInt64 { get }
}

extension Int64: EightByteElement {
    fileprivate var bits: UInt64 { UInt64(bitPattern: self) }
}

extension Double: EightByteElement {
    fileprivate var bits: UInt64 { bitPattern }
}
