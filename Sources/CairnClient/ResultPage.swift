import CairnCore

/// One page of a listing: the API's objects and the token of the next page (nil on the last).
///
/// A page read from the server keeps each object's JSON text as the server sent it and decodes it
/// only when ``items`` is read: `-o json` and `ndjson` print ``itemTexts`` and never decode
/// (a 1,000-run page is 1.2 MB of JSON; decoding it and encoding it again cost more CPU than the
/// rest of `cairn runs list`).
public struct ResultPage: Sendable {
    private enum Storage: Sendable {
        case values([JSONValue])
        case texts([UInt8], [Range<Int>])
    }

    private var storage: Storage
    public var nextPageToken: String?

    public init(items: [JSONValue], nextPageToken: String?) {
        self.storage = .values(items)
        self.nextPageToken = nextPageToken
    }

    /// The page's objects, decoded.
    public var items: [JSONValue] {
        get {
            switch storage {
            case .values(let values): values
            case .texts(let bytes, let ranges): ranges.map { (try? JSONValue(parsing: bytes[$0])) ?? .null }
            }
        }
        set { storage = .values(newValue) }
    }

    /// Each object's compact JSON text: as the server sent it when read from the server.
    public var itemTexts: [String] {
        switch storage {
        case .values(let values): values.map { $0.jsonText() }
        case .texts(let bytes, let ranges): ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
        }
    }

    /// How many objects the page holds.
    public var count: Int {
        switch storage {
        case .values(let values): values.count
        case .texts(_, let ranges): ranges.count
        }
    }

    /// The first `count` objects only.
    public func prefix(_ count: Int) -> ResultPage {
        var page = self
        switch storage {
        case .values(let values): page.storage = .values(Array(values.prefix(count)))
        case .texts(let bytes, let ranges): page.storage = .texts(bytes, Array(ranges.prefix(count)))
        }
        return page
    }

    /// The page under `key` of an answer (`{"runs": [...], "next_page_token": "..."}`).
    init(_ answer: JSONValue, key: String) {
        storage = .values(answer[key]?.arrayValue ?? [])
        let token = answer["next_page_token"]?.stringValue
        nextPageToken = (token?.isEmpty ?? true) ? nil : token
    }

    /// The page under `key` of an answer's JSON text, its objects located but not decoded.
    /// - Throws: ``ListingScanner/Malformed`` when the text is not a JSON object.
    init(text: [UInt8], key: String) throws(ListingScanner.Malformed) {
        var scanner = ListingScanner(bytes: text)
        let (ranges, token) = try scanner.page(key: key)
        storage = .texts(text, ranges)
        nextPageToken = (token?.isEmpty ?? true) ? nil : token
    }
}
