import CairnCore
import Testing

@Suite struct ByteCountTests {
    @Test(arguments: [(Int64(0), "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (200_000_000, "190.7 MiB"), (1 << 40, "1.0 TiB")])
    func countsReadInTheLargestUnitTheyReach(count: Int64, text: String) {
        #expect(ByteCount.format(count) == text)
    }
}
