import CairnCore
import Foundation
import NIOHTTP1

extension CairnClient {
    /// What `GET /version` told about the server: its version, its clock, and the round trip.
    public struct ServerVersion: Sendable {
        public var version: String
        /// The server's `Date` header (second precision), nil when it sent none.
        public var serverDate: Date?
        /// How long the request took.
        public var roundTrip: Duration
    }

    /// The server's version and clock. A server that is not Cairn answers 404 here.
    public func serverVersion() async throws(ClientError) -> ServerVersion {
        let started = ContinuousClock.now
        let answer = try await send(.GET, "/version", query: [], body: nil, contentType: nil)
        let roundTrip = ContinuousClock.now - started
        let date = answer.headers.first(name: "Date").flatMap(Self.httpDate)
        return ServerVersion(version: String(decoding: answer.body, as: UTF8.self), serverDate: date, roundTrip: roundTrip)
    }

    /// Who the server takes this client for: `actor`, `authentication`, `scope`, `allowed_targets`.
    public func whoami() async throws(ClientError) -> JSONValue {
        try await call(.GET, "/api/cairn/v1/whoami")
    }

    /// An RFC 9110 date (`Sun, 06 Dec 2026 00:10:37 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
