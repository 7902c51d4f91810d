import Testing

@testable import CairnArtifacts

/// Cutting a ranged download into parts, and reading S3's `Content-Range` (no I/O).
@Suite struct S3PartPlanTests {
    @Test func cutsARangeIntoPartsWithAShortLastOne() {
        let plan = S3PartPlan(bytes: 10..<45, partSize: 10)
        #expect(plan.count == 4)
        #expect((0..<plan.count).map(plan.part) == [10..<20, 20..<30, 30..<40, 40..<45])
    }

    @Test(arguments: [(0..<0, 0), (0..<1, 1), (0..<8, 1), (0..<9, 2), (3..<19, 2), (3..<20, 3)])
    func countsParts(bytes: Range<Int64>, parts: Int) {
        #expect(S3PartPlan(bytes: bytes, partSize: 8).count == parts)
    }

    @Test func rendersInclusiveRangeHeaders() {
        #expect(S3PartPlan.rangeHeader(0..<8_388_608) == "bytes=0-8388607")
        #expect(S3PartPlan.rangeHeader(5..<6) == "bytes=5-5")
    }

    @Test func parsesContentRange() throws {
        let parsed = try #require(S3PartPlan.parseContentRange("bytes 0-8388607/1073741824"))
        #expect(parsed.range == 0..<8_388_608)
        #expect(parsed.total == 1_073_741_824)
        #expect(S3PartPlan.parseContentRange("bytes 5-5/6")?.range == 5..<6)
    }

    @Test(arguments: ["bytes */0", "bytes */22", "bytes 0-9/*", "bytes 9-0/10", "bytes 0-10/10", "items 0-9/10", "bytes 0-9", ""])
    func rejectsOtherContentRanges(header: String) {
        #expect(S3PartPlan.parseContentRange(header) == nil)
    }
}
