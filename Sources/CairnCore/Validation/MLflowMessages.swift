/// MLflow's request-validation messages (`mlflow/server/handlers.py` `_validate_param_against_schema`
/// with `mlflow/utils/validation.py` `invalid_value`), so clients and scripts that match on them
/// read the same text from Cairn.
public enum MLflowMessages {
    /// What MLflow appends to a schema failure.
    public static let apiDocsSuffix = " See the API docs for more information about request parameters."

    /// `Missing value for required parameter '<name>'.` + ``apiDocsSuffix``.
    public static func missingValue(_ parameter: String) -> String {
        "Missing value for required parameter '\(parameter)'.\(apiDocsSuffix)"
    }

    /// A value of the wrong type: `Invalid value <compact JSON> for parameter '<name>' supplied:  Hint:
    /// Value was of type '<Python type>'.` + ``apiDocsSuffix`` (two spaces after the colon, as MLflow
    /// writes it: its hint starts with a space).
    /// - Parameters:
    ///   - value: the value as the request sent it (query values are strings).
    ///   - parameter: the parameter's name.
    public static func invalidValue(_ value: JSONValue, parameter: String) -> String {
        "Invalid value \(value.jsonText(.sortedKeys)) for parameter '\(parameter)' supplied:  Hint: Value was of type '\(pythonTypeName(value))'.\(apiDocsSuffix)"
    }

    /// The name Python gives the type of a JSON value once `json.loads` has read it.
    public static func pythonTypeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// `Invalid path`: every artifact path MLflow's `validate_path_is_safe` refuses.
    public static let invalidPath = "Invalid path"
}
