import CairnCore
import CairnStore
import Hummingbird
import Logging
import NIOCore

/// Turns every error into MLflow's error body `{"error_code", "message"}` with MLflow's status.
/// Client mistakes are 4xx (the mlflow client retries 5xx for minutes); only real server-side
/// failures are 5xx, and those are logged. Unknown routes are JSON 404 `ENDPOINT_NOT_FOUND`
/// (the client's POST-to-GET fallback keys on it), a wrong method JSON 405.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext

    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = map(error, request: request)
            if mapped.code.httpStatus >= 500 && mapped.code != .notImplemented {
                context.logger.error(
                    "request failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            var response = JSONResponse.error(mapped)
            if let limited = error as? RateLimitedError {
                response.headers[.retryAfter] = String(limited.retryAfterSeconds)
            } else if mapped.code == .temporarilyUnavailable {
                // The mlflow client (urllib3) and `cairn` wait this long before retrying.
                response.headers[.retryAfter] = "2"
            }
            if mapped.code == .unauthenticated {
                response.headers[.wwwAuthenticate] = "Bearer realm=\"cairn\""
            }
            if mapped.code == .methodNotAllowed {
                let allowed = routes.methods(for: request.uri.path).map(\.rawValue).sorted().joined(separator: ", ")
                response.headers[.allow] = allowed
            }
            return response
        }
    }

    func map(_ error: any Error, request: Request) -> CairnError {
        switch error {
        case let error as CairnError:
            return error
        case let error as RateLimitedError:
            return CairnError(.rateLimited, "Rate limit exceeded for this token; retry after \(error.retryAfterSeconds) s")
        case let error as SQLDatabaseError:
            switch error.kind {
            case .unavailable: return CairnError(.temporarilyUnavailable, "The database is unavailable; try again shortly")
            case .timedOut:
                // A read that runs too long is the request's doing: 400, so clients do not retry
                // it for minutes. A write held up (behind a migration's lock, say) is worth a retry.
                if request.method == .get || request.uri.path.hasSuffix("/search") {
                    return CairnError(
                        .badRequest,
                        "The request's query ran longer than the server's statement timeout and was cancelled; narrow it (fewer or more selective filter clauses, a smaller max_results)"
                    )
                }
                return CairnError(
                    .temporarilyUnavailable, "The database did not finish this write within the server's statement timeout; retry shortly")
            case .uniqueViolation: return CairnError(.resourceAlreadyExists, "The resource already exists")
            case .invalidData: return .invalidParameter("Invalid value: \(error.message)")
            case .foreignKeyViolation: return .notFound("A referenced resource does not exist")
            case .other: return CairnError(.internalError, "Internal error; see the server log")
            }
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                if !routes.methods(for: request.uri.path).isEmpty {
                    return CairnError(.methodNotAllowed, "Method \(request.method.rawValue) is not allowed for \(request.uri.path)")
                }
                return CairnError(.endpointNotFound, "No API endpoint at \(request.method.rawValue) \(request.uri.path)")
            case .contentTooLarge:
                return CairnError(.requestTooLarge, "Request body exceeds the limit of \(CairnRequestContext.maxJSONBodySize) bytes")
            default:
                if error.status.code < 500 {
                    return CairnError(.badRequest, error.body ?? error.status.reasonPhrase)
                }
                return CairnError(.internalError, error.body ?? error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return CairnError(.requestTooLarge, "Request body exceeds the limit of \(CairnRequestContext.maxJSONBodySize) bytes")
        case let error as any HTTPResponseError where error.status.code < 500:
            return CairnError(.badRequest, error.status.reasonPhrase)
        default:
            return CairnError(.internalError, "Internal error; see the server log")
        }
    }
}
