import CairnCore
import Testing

struct FilterParserTests {
    private func clauses(_ filter: String) throws -> [FilterClause] {
        try FilterExpression.parseSyntax(filter).clauses
    }

    private func message(_ filter: String) -> String? {
        do {
            _ = try FilterExpression.parseSyntax(filter)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func emptyOrBlankFilterHasNoClauses(filter: String?) throws {
        #expect(try FilterExpression.parseSyntax(filter).isEmpty)
    }

    @Test func andJoinsClausesCaseInsensitively() throws {
        let parsed = try clauses("metrics.a > 1 and params.b = 'x' AnD tags.c != 'y'")
        #expect(parsed.map(\.key) == [.metric("a"), .param("b"), .tag("c")])
        #expect(parsed.map(\.comparator) == [.greater, .equal, .notEqual])
        #expect(parsed.map(\.value) == [.number(1), .string("x"), .string("y")])
    }

    @Test(arguments: [
        ("metrics.a", FilterKey.metric("a")), ("metric.a", .metric("a")),
        ("params.a", .param("a")), ("param.a", .param("a")), ("parameter.a", .param("a")), ("parameters.a", .param("a")),
        ("tags.a", .tag("a")), ("tag.a", .tag("a")),
        ("attributes.status", .attribute("status")), ("attribute.status", .attribute("status")),
        ("attr.status", .attribute("status")), ("run.status", .attribute("status")), ("status", .attribute("status")),
        ("datasets.name", .dataset("name")), ("dataset.digest", .dataset("digest")),
    ])
    func prefixesAndAliasesSelectTheKeyKind(written: String, key: FilterKey) throws {
        #expect(try clauses("\(written) = 'v'").first?.key == key)
    }

    @Test(arguments: [
        ("metrics.`my metric` > 1", FilterKey.metric("my metric")),
        ("metrics.\"my metric\" > 1", .metric("my metric")),
        ("tags.\"a.b\" = 'x'", .tag("a.b")),
        ("tags.`a.b` = 'x'", .tag("a.b")),
        ("tags.mlflow.runName = 'x'", .tag("mlflow.runName")),
        ("params.`a``b` = 'x'", .param("a`b")),
        ("\"run name\" = 'x'", .attribute("run name")),
        ("`Run Name` = 'x'", .attribute("Run Name")),
    ])
    func quotedAndDottedKeysKeepTheirFullName(filter: String, key: FilterKey) throws {
        #expect(try clauses(filter).first?.key == key)
    }

    @Test(arguments: [
        ("a = 1", FilterComparator.equal), ("a != 1", .notEqual), ("a < 1", .less), ("a <= 1", .lessOrEqual),
        ("a > 1", .greater), ("a >= 1", .greaterOrEqual), ("a LIKE 'x'", .like), ("a like 'x'", .like),
        ("a ILIKE 'x'", .ilike), ("a iLike 'x'", .ilike), ("a IN ('x')", .inList), ("a not in ('x')", .notInList),
        ("a IS NULL", .isNull), ("a is not null", .isNotNull),
    ])
    func everyComparatorParsesCaseInsensitively(filter: String, comparator: FilterComparator) throws {
        #expect(try clauses(filter).first?.comparator == comparator)
    }

    @Test func isNullClausesCarryNullValue() throws {
        #expect(try clauses("tags.x IS NULL").first?.value == .null)
        #expect(try clauses("tags.x IS NOT NULL").first?.value == .null)
    }

    @Test func listsTakeSingleAndDoubleQuotedStrings() throws {
        #expect(try clauses("run_id IN ('a', \"b\",'c')").first?.value == .strings(["a", "b", "c"]))
    }

    @Test(arguments: [("metrics.a > -1.5e-3", -0.0015), ("metrics.a = 42", 42.0), ("metrics.a < .25", 0.25)])
    func numericValuesAreNumbers(filter: String, value: Double) throws {
        #expect(try clauses(filter).first?.value == .number(value))
    }

    @Test func stringValuesAcceptBothQuoteStylesWithEscapes() throws {
        #expect(try clauses("tags.a = 'it''s'").first?.value == .string("it's"))
        #expect(try clauses("tags.a = \"it's\"").first?.value == .string("it's"))
        #expect(try clauses("tags.a = 'x\\'y'").first?.value == .string("x'y"))
    }

    @Test func clausesRecordKeyAndValuePositions() throws {
        let parsed = try clauses("metrics.a > 1 AND tags.b = 'x'")
        #expect(parsed.map(\.position) == [0, 18])
        #expect(parsed.map(\.valuePosition) == [12, 27])
    }

    @Test func orIsRejectedWithMLflowsMessageAndPosition() {
        let text = message("metrics.a > 1 OR metrics.b > 2")
        #expect(text?.contains("Invalid clause(s) in filter string: 'OR'") == true)
        #expect(text?.contains("position 14") == true)
    }

    @Test(arguments: [
        ("metrics.a > 1 AND (metrics.b > 2)", "'(' at position 18"),
        ("(metrics.a > 1)", "'(' at position 0"),
    ])
    func parenthesesAreRejected(filter: String, fragment: String) {
        let text = message(filter)
        #expect(text?.contains("Invalid clause(s) in filter string") == true)
        #expect(text?.contains(fragment) == true)
    }

    @Test(arguments: [
        ("metrics.a > 1 metrics.b > 2", "'metrics.b' at position 14"),
        ("metrics.a > 1 2", "'2' at position 14"),
        ("tags.a = 'x' 'y'", "''y'' at position 13"),
        ("metrics.a > 1 )", "')' at position 14"),
    ])
    func trailingGarbageIsRejectedWithTheOffendingToken(filter: String, fragment: String) {
        let text = message(filter)
        #expect(text?.contains("Invalid clause(s) in filter string") == true)
        #expect(text?.contains(fragment) == true)
    }

    @Test(arguments: [
        ("metrics.a > 1 AND", "after 'AND' at position 14"),
        ("AND metrics.a > 1", "'AND' at position 0"),
        ("metrics.a", "Expected a comparator after metric 'a' at end of filter (position 9)"),
        ("metrics.a >", "Expected a value after '>' at end of filter (position 11)"),
        ("metrics.a == 1", "Invalid comparator '==' at position 10"),
        ("metrics.a <> 1", "Invalid comparator '<>' at position 10"),
        ("metrics.a BETWEEN 1", "found 'BETWEEN'"),
        ("tags.a NOT LIKE 'x'", "Expected IN after NOT at position 11"),
        ("tags.a IS 'x'", "after IS at position 10"),
        ("tags.a IS NOT 'x'", "Expected NULL after IS at position 14"),
        ("params.lr = abc", "found 'abc'"),
        ("tags.a = NULL", "use IS NULL"),
        ("tags.a = `x`", "backticks quote keys"),
        ("tags.a = ('x')", "needs IN or NOT IN"),
        ("run_id IN 'a'", "Expected '(' after IN at position 10"),
        ("run_id IN ()", "Empty list at position 10"),
        ("run_id IN ('a' 'b')", "Expected ',' or ')' in the list at position 15"),
        ("run_id IN ('a', 1)", "Expected a quoted string in the list at position 16, found '1'"),
        ("run_id IN ('a'", "Unterminated list starting at position 10"),
        ("metrics. > 1", "Missing key name after 'metrics.' at position 8"),
        ("metrics. `a` > 1", "Missing key name after 'metrics.' at position 8"),
        ("metrics.`` > 1", "Empty key name at position 0"),
        ("foo.bar = 'x'", "Invalid entity type 'foo' at position 0"),
        ("'status' = 'x'", "Expected a key at position 0"),
    ])
    func syntaxErrorsNamePositionOrToken(filter: String, fragment: String) {
        let text = message(filter)
        #expect(text != nil, "expected \(filter) to be rejected")
        #expect(text?.contains(fragment) == true, "\(text ?? "nil") lacks \(fragment)")
    }

    @Test func syntaxErrorsAreInvalidParameterValue() {
        #expect(throws: CairnError.invalidParameter("")) {
            try FilterExpression.parseSyntax("a = 1 OR b = 2")
        }
    }
}
