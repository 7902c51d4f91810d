import Foundation

/// The opaque `page_token` of MLflow's search endpoints: base64 of the JSON `{"offset": N}`,
/// the same encoding MLflow uses, so tokens from either server decode on the other.
public enum PageToken {
    /// Encodes the offset of the next page.
    /// - Parameter offset: the number of rows already returned; must be non-negative.
    public static func encode(offset: Int) -> String {
        Data("{\"offset\": \(max(offset, 0))}".utf8).base64EncodedString()
    }

    /// Decodes a token into the offset it carries.
    /// - Parameter token: the request's `page_token`; `nil` or empty means the first page.
    /// - Returns: the offset, 0 for the first page.
    /// - Throws: ``CairnError/invalidParameter(_:file:line:)`` ("Invalid page token …") when the
    ///   token is not base64, not the expected JSON, or carries a negative or non-integer offset.
    public static func decodeOffset(_ token: String?) throws(CairnError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        // Padding is required, as Python's `base64.b64decode` requires it in MLflow.
        guard let data = Data(base64Encoded: token) else {
            throw CairnError.invalidParameter("Invalid page token, could not base64-decode")
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: data) else {
            throw CairnError.invalidParameter("Invalid page token, expected a JSON object with an integer 'offset'")
        }
        guard payload.offset >= 0 else {
            throw CairnError.invalidParameter("Invalid page token, offset \(payload.offset) is negative")
        }
        guard payload.offset <= Limits.maxPageOffset else {
            throw CairnError.invalidParameter("Invalid page token, offset \(payload.offset) is larger than \(Limits.maxPageOffset)")
        }
        return payload.offset
    }

    private struct Payload: Decodable {
        var offset: Int

        enum CodingKeys: String, CodingKey { case offset }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let integer = try? container.decode(Int.self, forKey: .offset) {
                offset = integer
            } else if let text = try? container.decode(String.self, forKey: .offset), let integer = Int(text) {
                offset = integer
            } else {
                throw DecodingError.dataCorruptedError(forKey: .offset, in: container, debugDescription: "offset is not an integer")
            }
        }
    }
}
