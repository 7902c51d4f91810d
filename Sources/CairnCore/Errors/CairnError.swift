/// The one error type of Cairn's business layer.
///
/// Every error carries a ``Code`` that names the MLflow `error_code` it maps to on the wire and the
/// HTTP status that goes with it, so the HTTP layer, the CLI and the webhook report the same failure
/// the same way. Equality compares the code only.
public struct CairnError: Error, Sendable, CustomStringConvertible, Equatable {
    /// An MLflow error code and its HTTP status (see `mlflow/exceptions.py`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The `error_code` string written on the wire.
        public let name: String
        /// The HTTP status MLflow uses for this code.
        public let httpStatus: Int

        private init(_ name: String, _ status: Int) {
            self.name = name
            self.httpStatus = status
        }

        public var description: String { name }

        public static let invalidParameterValue = Code("INVALID_PARAMETER_VALUE", 400)
        public static let badRequest = Code("BAD_REQUEST", 400)
        /// MLflow answers 400 (not 409) here; `register_model` relies on it.
        public static let resourceAlreadyExists = Code("RESOURCE_ALREADY_EXISTS", 400)
        /// `get_experiment_by_name` returns None on exactly this code.
        public static let resourceDoesNotExist = Code("RESOURCE_DOES_NOT_EXIST", 404)
        public static let endpointNotFound = Code("ENDPOINT_NOT_FOUND", 404)
        public static let methodNotAllowed = Code("METHOD_NOT_ALLOWED", 405)
        public static let unauthenticated = Code("UNAUTHENTICATED", 401)
        public static let permissionDenied = Code("PERMISSION_DENIED", 403)
        public static let resourceConflict = Code("RESOURCE_CONFLICT", 409)
        /// An idempotency key sent again with a different request body (Cairn's webhook).
        public static let idempotencyKeyReused = Code("IDEMPOTENCY_KEY_REUSED", 422)
        public static let requestTooLarge = Code("REQUEST_LIMIT_EXCEEDED", 413)
        /// Too many requests: answered with `Retry-After` (the client honours it).
        public static let rateLimited = Code("REQUEST_LIMIT_EXCEEDED", 429)
        public static let notImplemented = Code("NOT_IMPLEMENTED", 501)
        public static let internalError = Code("INTERNAL_ERROR", 500)
        public static let badGateway = Code("BAD_GATEWAY", 502)
        public static let temporarilyUnavailable = Code("TEMPORARILY_UNAVAILABLE", 503)
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(code.name): \(message)" }

    public static func == (lhs: CairnError, rhs: CairnError) -> Bool { lhs.code == rhs.code }

    /// A 400 `INVALID_PARAMETER_VALUE`: the most common client mistake.
    public static func invalidParameter(_ message: String, file: String = #fileID, line: Int = #line) -> CairnError {
        CairnError(.invalidParameterValue, message, file: file, line: line)
    }

    /// A 404 `RESOURCE_DOES_NOT_EXIST`.
    public static func notFound(_ message: String, file: String = #fileID, line: Int = #line) -> CairnError {
        CairnError(.resourceDoesNotExist, message, file: file, line: line)
    }

    /// A 400 `RESOURCE_ALREADY_EXISTS`.
    public static func alreadyExists(_ message: String, file: String = #fileID, line: Int = #line) -> CairnError {
        CairnError(.resourceAlreadyExists, message, file: file, line: line)
    }
}
