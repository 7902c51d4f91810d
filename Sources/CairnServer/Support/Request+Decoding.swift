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
    ///
    /// Two phases, as MLflow validates: the typed decode first; when a field has the wrong type,
    /// the body is read again as a ``JSONValue`` so the message can quote the value as sent
    /// (`Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int'. ...`).
    /// - Throws: ``CairnError`` 400 for malformed JSON or a field of the wrong type.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let data = bytes.isEmpty ? Data("{}".utf8) : Data(bytes)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, body: bytes)
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

    /// An integer query parameter, or 400 with MLflow's text when it is not one (query values are
    /// strings, so the hint says `str`).
    func queryInt(_ name: String) throws(CairnError) -> Int64? {
        guard let text = query(name) else { return nil }
        guard let value = Int64(text) else {
            throw .invalidParameter(MLflowMessages.invalidValue(.string(text), parameter: name))
        }
        return value
    }

    /// The error for a body the DTO could not take, in MLflow's words where MLflow has them.
    static func describe(_ error: DecodingError, body: [UInt8]) -> CairnError {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c):
            return .invalidParameter(MLflowMessages.missingValue(parameterName(c.codingPath + [key])))
        @unknown default:
            return CairnError(.badRequest, "Malformed JSON request body")
        }
        // Not JSON: a bad request. JSON that is not an object (`[1, 2]`): an invalid parameter.
        guard let document = try? JSONValue(parsing: body.isEmpty ? Array("{}".utf8) : body) else {
            return CairnError(.badRequest, "Malformed JSON request body")
        }
        guard !context.codingPath.isEmpty else { return .invalidParameter("Malformed JSON request body: expected a JSON object") }
        let name = parameterName(context.codingPath)
        guard let value = value(at: context.codingPath, in: document) else {
            return .invalidParameter(MLflowMessages.missingValue(name))
        }
        return .invalidParameter(MLflowMessages.invalidValue(value, parameter: name))
    }

    /// The parameter as MLflow names it: the field (`run_id`); below the top level, the path
    /// (`metrics[0].value`).
    private static func parameterName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }

    /// The raw value at a coding path of the parsed body.
    private static func value(at path: [any CodingKey], in document: JSONValue) -> JSONValue? {
        var current = document
        for key in path {
            if let index = key.intValue, case .array(let elements) = current {
                guard elements.indices.contains(index) else { return nil }
                current = elements[index]
            } else if let member = current[key.stringValue] {
                current = member
            } else {
                return nil
            }
        }
        return current
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
