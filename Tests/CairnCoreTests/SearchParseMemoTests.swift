import Testing

@testable import CairnCore

struct SearchParseMemoTests {
    /// A filter sent again gets the parse of the first time, and the same text for another entity
    /// is parsed (and validated) for that entity.
    @Test func aFilterSentAgainIsTheFirstParseAndEntitiesAreApart() throws {
        let filter = "attributes.name LIKE 'memo-test-%' AND tags.team = 'a'"
        let first = try FilterExpression.parse(filter, for: .experiments)
        #expect(try FilterExpression.parse(filter, for: .experiments) == first)
        #expect(first == (try FilterExpression.parseUnmemoized(filter, for: .experiments)))
        // `attributes.name` is no run attribute (runs have `run_name`): the runs entity refuses it.
        #expect(throws: CairnError.self) { try FilterExpression.parse(filter, for: .runs) }
    }

    /// A filter that fails is not kept: it fails again with the same message.
    @Test func aRefusedFilterIsRefusedAgain() {
        let memo = SearchParseMemo<Int>()
        var parses = 0
        for _ in 0..<2 {
            #expect(throws: CairnError.self) {
                try memo.value(of: "bad", for: .runs) { () throws(CairnError) -> Int in
                    parses += 1
                    throw CairnError.invalidParameter("no")
                }
            }
        }
        #expect(parses == 2)
        #expect(memo.count == 0)
    }

    /// The memo keeps at most its capacity, parses a kept text once, and never keeps long texts.
    @Test func theMemoIsBoundedAndParsesAKeptTextOnce() throws {
        let memo = SearchParseMemo<Int>(capacity: 4, maximumTextLength: 8)
        var parses = 0
        func value(_ text: String) throws -> Int {
            try memo.value(of: text, for: .runs) { () throws(CairnError) -> Int in
                parses += 1
                return text.count
            }
        }
        #expect(try value("a") == 1)
        #expect(try value("a") == 1)
        #expect(parses == 1)
        for text in ["b", "c", "d", "e", "f"] { _ = try value(text) }
        #expect(memo.count <= 4)
        #expect(try value("123456789") == 9)
        #expect(try value("123456789") == 9)
        #expect(parses == 8)
        #expect(memo.count <= 4)
    }

    /// An order_by entry sent again is the first parse, per entity.
    @Test func anOrderBySentAgainIsTheFirstParse() throws {
        let first = try OrderByClause.parse("metrics.acc DESC", for: .runs)
        #expect(try OrderByClause.parse("metrics.acc DESC", for: .runs) == first)
        #expect(first == (try OrderByClause.parseUnmemoized("metrics.acc DESC", for: .runs)))
        #expect(throws: CairnError.self) { try OrderByClause.parse("metrics.acc DESC", for: .experiments) }
    }
}
