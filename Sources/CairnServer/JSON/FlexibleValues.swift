import CairnCore

/// An int64 as MLflow's server accepts it: a JSON number or a decimal string.
struct FlexibleInt64: Decodable, Sendable {
    let value: Int64

    init(value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let double = try? container.decode(Double.self), double.rounded() == double, let number = Int64(exactly: double) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.typeMismatch(Int64.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an integer"))
        }
    }
}

/// A double as MLflow's server accepts it: a number, a numeric string, "NaN", "Infinity",
/// "-Infinity", or a boolean (true = 1).
struct FlexibleDouble: Decodable, Sendable {
    let value: Double

    init(value: Double) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self) {
            switch text {
            case "NaN", "nan": value = .nan
            case "Infinity", "inf", "+Infinity": value = .infinity
            case "-Infinity", "-inf": value = -.infinity
            default:
                guard let number = Double(text) else {
                    throw DecodingError.typeMismatch(
                        Double.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number, got '\(text)'"))
                }
                value = number
            }
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? 1 : 0
        } else {
            throw DecodingError.typeMismatch(Double.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number"))
        }
    }
}

/// A string field that also accepts a number or boolean (proto3 JSON parsers are lenient here).
struct FlexibleString: Decodable, Sendable {
    let value: String

    init(value: String) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else if let number = try? container.decode(Double.self) {
            value = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? "true" : "false"
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a string"))
        }
    }
}

/// Key/value pairs as the wire sends them (`tags`, `params`).
struct KeyValueDTO: Decodable, Sendable {
    let key: String?
    let value: FlexibleString?

    func tag(field: String) throws(CairnError) -> Tag {
        guard let key else { throw .invalidParameter("Missing value for required parameter '\(field).key'") }
        return Tag(key: key, value: value?.value ?? "")
    }

    func param() throws(CairnError) -> Param {
        guard let key else { throw .invalidParameter("Missing value for required parameter 'params.key'") }
        guard let value else { throw .invalidParameter("Missing value for required parameter 'params.value' of param '\(key)'") }
        return Param(key: key, value: value.value)
    }
}

/// Unwraps a required request field or throws MLflow's message for a missing one.
func required<T>(_ value: T?, _ name: String) throws(CairnError) -> T {
    guard let value else {
        throw .invalidParameter("Missing value for required parameter '\(name)'. See the API docs for more information about request parameters.")
    }
    if let text = value as? String, text.isEmpty {
        throw .invalidParameter("Missing value for required parameter '\(name)'. See the API docs for more information about request parameters.")
    }
    return value
}
