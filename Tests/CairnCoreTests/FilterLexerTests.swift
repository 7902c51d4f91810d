import CairnCore
import Testing

struct FilterLexerTests {
    @Test func wordsKeepDotsSoTagKeysWithDotsAreOneToken() throws {
        let tokens = try FilterLexer.tokenize("tags.mlflow.runName = 'x'")
        #expect(tokens.map(\.text) == ["tags.mlflow.runName", "=", "x"])
        #expect(tokens[0].kind == .word)
        #expect(tokens[2].kind == .quoted(.single))
    }

    @Test func tokensCarryZeroBasedCharacterPositions() throws {
        let tokens = try FilterLexer.tokenize("  metrics.a >= 1")
        #expect(tokens.map(\.position) == [2, 12, 15])
        #expect(tokens.map(\.end) == [11, 14, 16])
    }

    @Test func positionsCountCharactersNotBytes() throws {
        let tokens = try FilterLexer.tokenize("tags.`café ☕` = 'x'")
        #expect(tokens.map(\.position) == [0, 5, 14, 16])
    }

    @Test(arguments: [
        ("1", 1.0), ("-1", -1.0), ("+2", 2.0), ("0.5", 0.5), (".5", 0.5), ("5.", 5.0),
        ("1e3", 1000.0), ("1E-3", 0.001), ("-2.5e+2", -250.0),
    ])
    func numbersParseIntegersDecimalsExponentsAndSigns(text: String, value: Double) throws {
        let tokens = try FilterLexer.tokenize(text)
        #expect(tokens.count == 1)
        #expect(tokens[0].kind == .number(value))
        #expect(tokens[0].text == text)
    }

    @Test func operatorsAreLexedGreedily() throws {
        let tokens = try FilterLexer.tokenize("a>=1 b<=2 c!=3 d<4 e>5 f=6 g==7 h<>8")
        let operators = tokens.filter { $0.kind == .comparisonOperator }.map(\.text)
        #expect(operators == [">=", "<=", "!=", "<", ">", "=", "==", "<>"])
    }

    @Test func negativeNumberDirectlyAfterAnOperatorIsANumber() throws {
        let tokens = try FilterLexer.tokenize("metrics.a>-1")
        #expect(tokens.map(\.text) == ["metrics.a", ">", "-1"])
        #expect(tokens[2].kind == .number(-1))
    }

    @Test(arguments: [
        ("'it''s'", "it's"), ("'it\\'s'", "it's"), ("\"say \\\"hi\\\"\"", "say \"hi\""),
        ("'back\\\\slash'", "back\\slash"), ("'100\\%'", "100\\%"), ("''", ""),
    ])
    func quotedStringsResolveDoubledQuotesAndBackslashEscapes(source: String, text: String) throws {
        let tokens = try FilterLexer.tokenize(source)
        #expect(tokens.count == 1)
        #expect(tokens[0].text == text)
    }

    @Test func backticksAndDoubleQuotesAreDistinguished() throws {
        let tokens = try FilterLexer.tokenize("`a b` \"c\" 'd'")
        #expect(tokens.map(\.kind) == [.quoted(.backtick), .quoted(.double), .quoted(.single)])
        #expect(tokens.map(\.display) == ["`a b`", "\"c\"", "'d'"])
    }

    @Test func unterminatedStringNamesItsStartingPosition() {
        let error = #expect(throws: CairnError.self) { try FilterLexer.tokenize("tags.x = 'abc") }
        #expect(error?.message.contains("Unterminated string starting at position 9") == true)
    }

    @Test func unterminatedBacktickKeyIsReported() {
        let error = #expect(throws: CairnError.self) { try FilterLexer.tokenize("metrics.`abc > 1") }
        #expect(error?.message.contains("Unterminated quoted key starting at position 8") == true)
    }

    @Test(arguments: [("metrics.a > 1;", "';' at position 13"), ("a = 1 & b", "'&' at position 6"), ("a ! 1", "'!' at position 2")])
    func unexpectedCharactersAreRejectedWithTheirPosition(source: String, fragment: String) {
        let error = #expect(throws: CairnError.self) { try FilterLexer.tokenize(source) }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.contains(fragment) == true)
    }

    @Test(arguments: ["1e", "12abc", "1.2.3", "1-2"])
    func malformedNumbersAreRejected(text: String) {
        let error = #expect(throws: CairnError.self) { try FilterLexer.tokenize("metrics.a > \(text)") }
        #expect(error?.message.contains("Invalid number '") == true)
    }
}
