import CairnCore

/// The one error type of CairnKube: every failure of the kubeconfig loader, the credential
/// plugins, the HTTP transport and the API server is one of these, with a message meant for a
/// person (it names the field, the other field managers, the denied verb, the rejected fields).
///
/// Equality compares the ``code`` only.
public struct KubeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is. Opaque, so new codes can be added without a breaking change.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration, credentialPlugin, invalidManifest, unreachable, tlsFailure, timeout
            case unauthorized, forbidden, admissionDenied, notFound, conflict, invalid, badRequest
            case tooManyRequests, serverError, invalidResponse
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public var description: String { base.rawValue }

        /// A kubeconfig or in-cluster setting is missing or invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An exec credential plugin failed or printed no usable credential.
        public static let credentialPlugin = Code(.credentialPlugin)
        /// The manifest handed to `apply` lacks `apiVersion`, `kind` or `metadata.name`.
        public static let invalidManifest = Code(.invalidManifest)
        /// The API server could not be reached (refused, no route, DNS, closed connection).
        public static let unreachable = Code(.unreachable)
        /// The TLS handshake failed (untrusted certificate, wrong host name, bad client key).
        public static let tlsFailure = Code(.tlsFailure)
        /// The call did not finish before its deadline.
        public static let timeout = Code(.timeout)
        /// 401: the credential was refused (expired or unknown token).
        public static let unauthorized = Code(.unauthorized)
        /// 403 from RBAC: the identity may not perform the verb on the resource.
        public static let forbidden = Code(.forbidden)
        /// 403 (or 400) from an admission webhook that denied the request.
        public static let admissionDenied = Code(.admissionDenied)
        /// 404: the API (CRD not installed) or the namespace does not exist.
        public static let notFound = Code(.notFound)
        /// 409: a server-side apply field-manager conflict, or a stale resourceVersion.
        public static let conflict = Code(.conflict)
        /// 422: schema, CEL or immutable-field validation rejected the object.
        public static let invalid = Code(.invalid)
        /// 400: malformed request, unknown fields under `fieldValidation=Strict`.
        public static let badRequest = Code(.badRequest)
        /// 429: API priority and fairness throttled the call.
        public static let tooManyRequests = Code(.tooManyRequests)
        /// 5xx: the API server or a webhook it called failed.
        public static let serverError = Code(.serverError)
        /// The server answered something that is not what the API promises.
        public static let invalidResponse = Code(.invalidResponse)
    }

    /// One entry of a `Status`'s `details.causes`.
    public struct Cause: Sendable, Hashable {
        /// The machine-readable reason, e.g. `FieldManagerConflict` or `FieldValueInvalid`.
        public var reason: String?
        /// The human-readable message.
        public var message: String?
        /// The field path, e.g. `.spec.replicas` or `spec.predictor.model.protocolVersion`.
        public var field: String?

        /// Creates a cause.
        public init(reason: String?, message: String?, field: String?) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// A message for a person.
    public let message: String
    /// The HTTP status when the API server answered, else `nil`.
    public let httpStatus: Int?
    /// The `Status.reason` the server gave (e.g. `Conflict`, `Forbidden`, `Invalid`).
    public let reason: String?
    /// The `Status.details.causes` the server gave.
    public let causes: [Cause]
    /// For a field-manager conflict: the other managers that own the conflicting fields.
    public let conflictingManagers: [String]
    /// Where the error was made.
    public let file: String
    /// Where the error was made.
    public let line: Int

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, reason: String? = nil, causes: [Cause] = [],
        conflictingManagers: [String] = [], file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.reason = reason
        self.causes = causes
        self.conflictingManagers = conflictingManagers
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: KubeError, rhs: KubeError) -> Bool { lhs.code == rhs.code }

    /// A missing or invalid configuration field.
    public static func invalidConfiguration(_ message: String, file: String = #fileID, line: Int = #line) -> KubeError {
        KubeError(.invalidConfiguration, message, file: file, line: line)
    }

    /// The same failure as a ``CairnCore/CairnError`` for the HTTP layer: conflicts are 409,
    /// denials 403, rejections 400, an unreachable or failing cluster 502/503.
    public var cairnError: CairnError {
        let mapped: CairnError.Code =
            switch code {
            case .conflict: .resourceConflict
            case .forbidden, .admissionDenied: .permissionDenied
            case .invalid, .badRequest, .invalidManifest: .invalidParameterValue
            case .notFound: .resourceDoesNotExist
            case .unreachable, .timeout, .tooManyRequests: .temporarilyUnavailable
            case .tlsFailure, .unauthorized, .serverError, .invalidResponse, .credentialPlugin: .badGateway
            default: .internalError
            }
        return CairnError(mapped, "Kubernetes: \(message)", file: file, line: line)
    }
}
