import Synchronization

/// Filters and `order_by` entries parsed lately, by entity and text, so a search sent again (a
/// dashboard refreshing, a script paging, a training loop polling) is not parsed again: parsing
/// walks the text as `Character`s with Unicode property checks, 3% of Cairn's CPU for an
/// experiment search and 2.5% for a run search, 0.2% with this memo (`perf`, one client).
///
/// Only successful parses are kept, and only of texts up to ``maximumTextLength`` UTF-8 bytes; when
/// ``capacity`` entries are kept, the next new one replaces them all (a workload of more distinct
/// searches than that mostly misses anyway). So the memo holds at most capacity × (text +
/// parsed value), about 0.5 MB.
final class SearchParseMemo<Value: Sendable>: Sendable {
    private struct Key: Hashable {
        let entity: SearchEntity
        let text: String
    }

    /// The most entries kept.
    let capacity: Int
    /// The longest text kept, in UTF-8 bytes.
    let maximumTextLength: Int
    private let entries = Mutex<[Key: Value]>([:])

    init(capacity: Int = 256, maximumTextLength: Int = 1024) {
        self.capacity = capacity
        self.maximumTextLength = maximumTextLength
    }

    /// The value parsed from `text` for `entity`: the kept one, or `parse()`'s (kept when it succeeds).
    func value(
        of text: String, for entity: SearchEntity, parsing parse: () throws(CairnError) -> Value
    ) throws(CairnError) -> Value {
        guard text.utf8.count <= maximumTextLength else { return try parse() }
        let key = Key(entity: entity, text: text)
        if let kept = entries.withLock({ $0[key] }) { return kept }
        let value = try parse()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }

    /// How many entries are kept (for tests).
    var count: Int { entries.withLock { $0.count } }
}
