import CairnCore

/// One page of a listing: the API's objects and the token of the next page (nil on the last).
public struct ResultPage: Sendable {
    public var items: [JSONValue]
    public var nextPageToken: String?

    public init(items: [JSONValue], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    /// The page under `key` of an answer (`{"runs": [...], "next_page_token": "..."}`).
    init(_ answer: JSONValue, key: String) {
        items = answer[key]?.arrayValue ?? []
        let token = answer["next_page_token"]?.stringValue
        nextPageToken = (token?.isEmpty ?? true) ? nil : token
    }
}
