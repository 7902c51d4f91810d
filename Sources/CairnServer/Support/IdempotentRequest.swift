import CairnCore
import CairnStore
import HTTPTypes
import Hummingbird

/// Runs a change at most once per `Idempotency-Key`: the first request does the work and its
/// answer is stored; a retry with the same key and body gets that answer again (with
/// `Idempotent-Replayed: true`), one with another body 422, one while the first is still running
/// 409. A change that fails forgets its key, so a retry can go ahead. Used by the promotion
/// webhook and by `model-versions/create` (`cairn models register --idempotency-key`).
struct IdempotentRequest {
    let store: IdempotencyStore

    /// The longest key accepted.
    static let maximumKeyLength = 255

    /// The request's `Idempotency-Key`, checked; nil when it has none.
    /// - Throws: 400 for an empty key, one longer than 255 bytes, or one with characters other than visible ASCII.
    static func key(of request: Request) throws(CairnError) -> String? {
        guard let key = request.headers[.init("Idempotency-Key")!] else { return nil }
        guard !key.isEmpty, key.utf8.count <= maximumKeyLength, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7e }) else {
            throw CairnError(.badRequest, "Idempotency-Key must be 1-\(maximumKeyLength) visible ASCII characters")
        }
        return key
    }

    /// Does `work` once for `key` (in `namespace`, so the same key used on two routes means two
    /// things), or answers what it answered before.
    /// - Parameters:
    ///   - bodySHA256: what identifies the request's content: a retry must send the same.
    ///   - staleAfterMillis: how long a key may stay in flight before a retry takes it over (its
    ///     replica died).
    func run(
        namespace: String, key: String, bodySHA256: String, staleAfterMillis: Int64 = 30_000,
        _ work: () async throws -> (status: Int, writer: JSONWriter)
    ) async throws -> Response {
        let stored = namespace.isEmpty ? key : "\(namespace) \(key)"
        switch try await store.begin(key: stored, bodySHA256: bodySHA256, staleAfterMillis: staleAfterMillis) {
        case .differentBody:
            throw CairnError(.idempotencyKeyReused, "Idempotency-Key '\(key)' was already used with a different request body")
        case .inFlight:
            throw CairnError(.resourceConflict, "A request with Idempotency-Key '\(key)' is still being processed")
        case .replay(let status, let response):
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[.init("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: .init(string: response)))
        case .proceed(let startedAt):
            let result: (status: Int, writer: JSONWriter)
            do {
                result = try await work()
            } catch {
                try? await store.abandon(key: stored, startedAt: startedAt)
                throw error
            }
            try await store.finish(
                key: stored, startedAt: startedAt, status: result.status, response: String(decoding: result.writer.bytes, as: UTF8.self))
            return Response(
                status: .init(code: result.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: result.writer.buffer))
        }
    }
}
