import CairnCore
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Decodes the JSON body (an empty body counts as `{}`, as in MLflow).
    /// - Throws: ``CairnError`` 400 for malformed JSON or a field of the wrong type, 413 for an
    ///   oversize body.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: CairnRequestContext) async throws -> T {
        try Self.decodeJSON(type, from: try await bodyBytes(context: context))
    }

    /// The whole body, up to `limit` bytes (the JSON limit by default).
    /// - Throws: 413 for an oversize body.
    func bodyBytes(context: CairnRequestContext, limit: Int? = nil) async throws -> [UInt8] {
        let limit = limit ?? context.maxUploadSize
        do {
            var request = self
            return Array(try await request.collectBody(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw CairnError(.requestTooLarge, "Request body exceeds the limit of \(limit) bytes")
        }
    }

    /// Decodes JSON already read (an empty body counts as `{}`).
    /// - Throws: ``CairnError`` 400 for malformed JSON or a field of the wrong type.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let data = bytes.isEmpty ? Data("{}".utf8) : Data(bytes)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    /// A query parameter, or nil when absent or empty.
    func query(_ name: String) -> String? {
        queryAll(name).first
    }

    /// Every non-empty value of a repeated query parameter (`run_ids=a&run_ids=b`), decoded as
    /// HTML forms encode them (`+` is a space), which is what the mlflow client sends.
    func queryAll(_ name: String) -> [String] {
        guard let query = uri.query, !query.isEmpty else { return [] }
        var values: [String] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.formDecode(parts[0]) == name, parts.count == 2 else { continue }
            if let value = Self.formDecode(parts[1]), !value.isEmpty { values.append(value) }
        }
        return values
    }

    private static func formDecode(_ text: Substring) -> String? {
        PercentEncoding.strictDecode(String(text).replacingPlusWithSpace())
    }

    /// An integer query parameter, or 400 when it is not one.
    func queryInt(_ name: String) throws(CairnError) -> Int64? {
        guard let text = query(name) else { return nil }
        guard let value = Int64(text) else {
            throw .invalidParameter("Invalid value '\(text)' for parameter '\(name)': expected an integer")
        }
        return value
    }

    private static func describe(_ error: DecodingError) -> CairnError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .invalidParameter("Invalid value for parameter '\(path(context))': \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            return .invalidParameter("Missing value for required parameter '\(path(context)).\(key.stringValue)'")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return CairnError(.badRequest, "Malformed JSON request body")
            }
            return .invalidParameter("Invalid value for parameter '\(path(context))': \(context.debugDescription)")
        @unknown default:
            return CairnError(.badRequest, "Malformed JSON request body")
        }
    }
}

extension String {
    fileprivate func replacingPlusWithSpace() -> String {
        contains("+") ? String(map { $0 == "+" ? " " : $0 }) : self
    }
}

/// Builds JSON responses.
enum JSONResponse {
    static func ok(_ writer: JSONWriter) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
    }

    /// `{}`: what MLflow answers for writes.
    static var empty: Response { ok(JSONWriter.object { _ in }) }

    static func object(capacity: Int = 256, _ body: (inout JSONWriter) -> Void) -> Response {
        ok(JSONWriter.object(capacity: capacity, body))
    }

    static func error(_ error: CairnError) -> Response {
        let writer = JSONWriter.object { w in
            w.field("error_code", error.code.name)
            w.field("message", error.message)
        }
        return Response(
            status: HTTPResponse.Status(code: error.code.httpStatus), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: writer.buffer))
    }
}
