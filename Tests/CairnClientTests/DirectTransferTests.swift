import Foundation
import Testing

@testable import CairnClient

@Suite struct DirectTransferTests {
    /// File size, part size, part count.
    static let partCases: [(Int64, Int64, Int)] = [
        (1, 16 << 20, 1),
        (200_000_000, 16 << 20, 12),
        (1 << 30, 16 << 20, 64),
        // 10,000 parts at most: a 1 TiB file needs parts larger than 16 MiB.
        (1 << 40, ((1 << 40) + 9_999) / 10_000, 10_000),
    ]

    @Test(arguments: partCases)
    func partsCoverTheFileWithinS3sLimits(size: Int64, chunk: Int64, count: Int) {
        let parts = DirectTransfer().uploadParts(size: size)
        #expect(parts.chunk == chunk)
        #expect(parts.count == count)
        #expect(Int64(parts.count) * parts.chunk >= size)
        #expect(Int64(parts.count - 1) * parts.chunk < size)
    }

    @Test func aChunkSizeBelowS3sMinimumIsRaisedToIt() {
        var configuration = DirectTransfer()
        configuration.uploadChunkSize = 1 << 20
        #expect(configuration.uploadParts(size: 100 << 20).chunk == 5 << 20)
    }

    @Test func s3ErrorsKeepTheirCodeAndRetryServerSideFailures() {
        let body = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature does not match</Message></Error>"
        let refused = CairnClient.storeError(status: 403, text: body, url: "http://127.0.0.1:8333/bucket/key?X-Amz-Signature=x")
        #expect(refused.kind == .notAllowed)
        #expect(refused.description == "SignatureDoesNotMatch: 127.0.0.1 answered HTTP 403: The request signature does not match")
        #expect(CairnClient.storeError(status: 500, text: "", url: "http://s3/b/k").kind == .unavailable)
        #expect(CairnClient.storeError(status: 503, text: "", url: "http://s3/b/k").kind == .unavailable)
        #expect(CairnClient.storeError(status: 400, text: "", url: "http://s3/b/k").kind == .failed)
    }

    @Test func anArtifactPathSplitsIntoItsDirectoryAndName() {
        #expect(CairnClient.split("outputs/model/big.bin") == ("outputs/model", "big.bin"))
        #expect(CairnClient.split("big.bin") == ("", "big.bin"))
        #expect(CairnClient.encodedSegments("1/abc/artifacts/a b/c%d") == "1/abc/artifacts/a%20b/c%25d")
    }
}

@Suite struct PartialFileTests {
    func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-partial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/file.bin"
    }

    @Test func withoutAJournalTheWholePartialFileIsResumed() throws {
        let partial = PartialFile(destination: try scratch())
        #expect(partial.resumePoint() == 0)
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: partial.path))
        #expect(partial.resumePoint() == 1000)
        #expect(PartialFile.size(partial.path) == 1000)
    }

    @Test func aJournalCutsThePartialFileToItsGoodPrefix() throws {
        let partial = PartialFile(destination: try scratch())
        try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: partial.path))
        let journal = try partial.openJournal(mark: 123_456)
        try PartialFile.record(1200, in: journal, path: partial.journalPath)
        close(journal)
        #expect(try String(contentsOfFile: partial.journalPath, encoding: .utf8) == "00000000000000001200\n")
        #expect(partial.resumePoint() == 1200)
        #expect(PartialFile.size(partial.path) == 1200)
        #expect(!FileManager.default.fileExists(atPath: partial.journalPath))
    }

    @Test func aJournalBeyondTheFileKeepsTheFile() throws {
        let partial = PartialFile(destination: try scratch())
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: partial.path))
        close(try partial.openJournal(mark: 10_000))
        #expect(partial.resumePoint() == 100)
    }
}
