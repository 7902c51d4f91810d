import CairnStore
import Testing

/// Rows decoded straight from the engine's cells (``SQLRowDecodable``) read what ``SQLRow`` reads.
@Suite struct SQLRowDecodingTests {
    struct Sample: SQLRowDecodable, Equatable {
        var text: String, missingText: String, big: Int64, missingInt: Int64, small: Int64, unicode: String
        var ratio: Double, missingRatio: Double, tiny: Int64

        init(
            text: String, missingText: String, big: Int64, missingInt: Int64, small: Int64, unicode: String, ratio: Double,
            missingRatio: Double, tiny: Int64
        ) {
            (self.text, self.missingText, self.big, self.missingInt, self.small, self.unicode) = (text, missingText, big, missingInt, small, unicode)
            (self.ratio, self.missingRatio, self.tiny) = (ratio, missingRatio, tiny)
        }

        init<Cells: SQLCells>(cells: inout Cells) throws {
            self.init(
                text: try cells.string(), missingText: try cells.string(), big: try cells.int(), missingInt: try cells.int(),
                small: try cells.int(), unicode: try cells.string(), ratio: try cells.double(), missingRatio: try cells.double(),
                tiny: try cells.int())
        }
    }

    /// One column more than `SELECT 'a', 'b'` has.
    struct Greedy: SQLRowDecodable {
        init<Cells: SQLCells>(cells: inout Cells) throws {
            for _ in 0..<3 { _ = try cells.string() }
        }
    }

    /// Every column of ``select`` read as another type than it has.
    struct Converted: SQLRowDecodable, Equatable {
        var textOfInt: String, doubleOfInt: Double, intOfDouble: Int64

        init(textOfInt: String, doubleOfInt: Double, intOfDouble: Int64) {
            (self.textOfInt, self.doubleOfInt, self.intOfDouble) = (textOfInt, doubleOfInt, intOfDouble)
        }

        init<Cells: SQLCells>(cells: inout Cells) throws {
            for _ in 0..<2 { _ = try cells.string() }
            textOfInt = try cells.string()
            _ = try cells.int()
            doubleOfInt = try cells.double()
            _ = try cells.string()
            intOfDouble = try cells.int()
        }
    }

    static let select = """
        SELECT 'plain', CAST(NULL AS TEXT), CAST(9007199254740993 AS BIGINT), CAST(NULL AS BIGINT), CAST(7 AS INTEGER), 'Å-\u{212B}-😀',
            CAST(0.1 AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION), CAST(1 AS SMALLINT)
        UNION ALL SELECT '', 'set', CAST(-1 AS BIGINT), CAST(0 AS BIGINT), CAST(-7 AS INTEGER), 'second',
            CAST(-2.5e300 AS DOUBLE PRECISION), CAST(3 AS DOUBLE PRECISION), CAST(0 AS SMALLINT)
        """

    @Test(arguments: Engine.available)
    func decodedRowsMatchWhatSQLRowReads(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let decoded = try await database.query(Self.select, [], as: Sample.self)
            let generic = try await database.query(Self.select, []).map { row in
                Sample(
                    text: row.string(0), missingText: row.string(1), big: row.int(2), missingInt: row.int(3), small: row.int(4),
                    unicode: row.string(5), ratio: row.double(6), missingRatio: row.double(7), tiny: row.int(8))
            }
            #expect(decoded == generic)
            #expect(
                decoded.first
                    == Sample(
                        text: "plain", missingText: "", big: 9_007_199_254_740_993, missingInt: 0, small: 7, unicode: "Å-\u{212B}-😀",
                        ratio: 0.1, missingRatio: 0, tiny: 1))
            #expect(decoded.last?.ratio == -2.5e300 && decoded.last?.missingRatio == 3)
            #expect(decoded.first?.unicode.utf8.elementsEqual("Å-\u{212B}-😀".utf8) == true)
            #expect(decoded.count == 2)
        }
    }

    @Test(arguments: Engine.available)
    func readingPastTheLastColumnIsAnErrorNotTheNextRow(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let error = await #expect(throws: SQLDatabaseError.self) {
                _ = try await database.query("SELECT 'a', 'b' UNION ALL SELECT 'c', 'd'", [], as: Greedy.self)
            }
            #expect(error?.message.contains("read more columns") == true)
        }
    }

    /// `int8[]` and `float8[]` columns (PostgreSQL only): from their bytes, through ``SQLRow``,
    /// empty and NULL arrays, and NaN and infinities.
    struct Arrays: SQLRowDecodable, Equatable {
        var ints: [Int64], doubles: [String], missing: [Int64], empty: [Double]

        init(ints: [Int64], doubles: [String], missing: [Int64], empty: [Double]) {
            (self.ints, self.doubles, self.missing, self.empty) = (ints, doubles, missing, empty)
        }

        init<Cells: SQLCells>(cells: inout Cells) throws {
            self.init(
                ints: try cells.intArray(), doubles: try cells.doubleArray().map { "\($0)" }, missing: try cells.intArray(),
                empty: try cells.doubleArray())
        }
    }

    @Test func arrayColumnsDecodeFromCellsAndThroughSQLRow() async throws {
        guard Engine.available.contains(.postgres) else { return }
        try await TestDatabase.withDatabase(.postgres) { database in
            let select = """
                SELECT CAST(ARRAY[9007199254740993, -1, 0] AS BIGINT[]), CAST(ARRAY[0.1, 'NaN', '-Infinity', 2.5e300] AS DOUBLE PRECISION[]),
                    CAST(NULL AS BIGINT[]), CAST('{}' AS DOUBLE PRECISION[])
                """
            let expected = Arrays(ints: [9_007_199_254_740_993, -1, 0], doubles: ["0.1", "nan", "-inf", "2.5e+300"], missing: [], empty: [])
            #expect(try await database.query(select, [], as: Arrays.self) == [expected])
            let row = try await database.query(select, []).first
            #expect(row?[0] == .intArray(expected.ints))
            guard case .doubleArray(let doubles)? = row?[1] else {
                Issue.record("float8[] through SQLRow: \(String(describing: row?[1]))")
                return
            }
            #expect(doubles.map { "\($0)" } == expected.doubles)
            #expect(row?[2] == .null)
            #expect(row?[3] == .doubleArray([]))
        }
    }

    /// `text[]` columns (PostgreSQL only; the run details of a search page come as arrays):
    /// from their bytes and through ``SQLRow``, with non-ASCII and empty strings, a NULL element
    /// read as `""`, and empty and NULL arrays.
    struct Texts: SQLRowDecodable, Equatable {
        var texts: [String], empty: [String], missing: [String]

        init(texts: [String], empty: [String], missing: [String]) { (self.texts, self.empty, self.missing) = (texts, empty, missing) }

        init<Cells: SQLCells>(cells: inout Cells) throws {
            self.init(texts: try cells.stringArray(), empty: try cells.stringArray(), missing: try cells.stringArray())
        }
    }

    @Test func textArrayColumnsDecodeFromCellsAndThroughSQLRow() async throws {
        guard Engine.available.contains(.postgres) else { return }
        try await TestDatabase.withDatabase(.postgres) { database in
            let select = "SELECT CAST(ARRAY['a', 'é€ 🌲', ''] AS TEXT[]), CAST('{}' AS TEXT[]), CAST(NULL AS TEXT[])"
            let expected = Texts(texts: ["a", "é€ 🌲", ""], empty: [], missing: [])
            #expect(try await database.query(select, [], as: Texts.self) == [expected])
            let row = try await database.query(select, []).first
            #expect(row?[0] == .textArray(expected.texts) && row?[1] == .textArray([]) && row?[2] == .null)
            let withNull = try await database.query("SELECT CAST(ARRAY['x', NULL] AS TEXT[]), CAST('{}' AS TEXT[]), NULL", [], as: Texts.self)
            #expect(withNull == [Texts(texts: ["x", ""], empty: [], missing: [])])
        }
    }

    @Test(arguments: Engine.available)
    func cellsOfAnotherTypeConvertAsSQLRowConvertsThem(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let rows = try await database.query(Self.select, [], as: Converted.self)
            #expect(rows.first == Converted(textOfInt: "9007199254740993", doubleOfInt: 7, intOfDouble: 0))
        }
    }
}
