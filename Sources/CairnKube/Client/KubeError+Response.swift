import AsyncHTTPClient
import CairnCore
import Foundation
import NIOSSL

extension KubeError {
    /// Maps an API server error answer (a `metav1.Status`, or plain text) to a ``KubeError`` with
    /// a message that names what a person needs: the other field managers of a conflict, the
    /// denied verb and resource, the rejected fields.
    static func fromResponse(status: Int, body: [UInt8], path: String) -> KubeError {
        let json = try? JSONValue(parsing: body)
        let isStatus = json?["kind"]?.stringValue == "Status"
        let serverMessage =
            (isStatus ? json?["message"]?.stringValue : nil)
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = isStatus ? json?["reason"]?.stringValue : nil
        let causes: [Cause] = (json?["details"]?["causes"]?.arrayValue ?? []).map {
            Cause(reason: $0["reason"]?.stringValue, message: $0["message"]?.stringValue, field: $0["field"]?.stringValue)
        }
        func make(_ code: Code, _ message: String, managers: [String] = []) -> KubeError {
            KubeError(code, message, httpStatus: status, reason: reason, causes: causes, conflictingManagers: managers)
        }
        let webhookDenial = serverMessage.contains("admission webhook") && serverMessage.contains("denied the request")
        switch status {
        case 401:
            return make(.unauthorized, "the API server refused Cairn's credential (401 Unauthorized): \(serverMessage)")
        case 403 where webhookDenial, 400 where webhookDenial:
            return make(.admissionDenied, "an admission webhook denied the request: \(serverMessage)")
        case 403:
            return make(.forbidden, forbiddenMessage(serverMessage))
        case 404:
            return make(.notFound, "not found (\(path)): \(serverMessage)")
        case 409:
            let conflicts = causes.filter { $0.reason == "FieldManagerConflict" }
            guard !conflicts.isEmpty else { return make(.conflict, "conflict: \(serverMessage)") }
            let managers = orderedUnique(conflicts.compactMap { $0.message.flatMap(managerName) })
            let fields = conflicts.map { cause in
                "\(cause.field ?? "?") (owned by \(cause.message.flatMap(managerName).map { "\"\($0)\"" } ?? "another manager"))"
            }
            let named = managers.map { "\"\($0)\"" }.joined(separator: ", ")
            return make(
                .conflict,
                "server-side apply conflict with field manager\(managers.count == 1 ? "" : "s") \(named): "
                    + "\(fields.joined(separator: ", ")); apply with force to take these fields over",
                managers: managers)
        case 422:
            let details = causes.map { cause in [cause.field, cause.message].compactMap { $0 }.joined(separator: ": ") }
            let text = details.isEmpty ? serverMessage : details.joined(separator: "; ")
            return make(.invalid, "the API server rejected the object: \(text)")
        case 400:
            return make(.badRequest, "bad request: \(serverMessage)")
        case 429:
            return make(.tooManyRequests, "the API server is throttling requests (429): \(serverMessage)")
        case 500...599:
            return make(.serverError, "the API server failed (\(status)): \(serverMessage)")
        default:
            return make(.invalidResponse, "unexpected answer \(status) from the API server for \(path): \(serverMessage)")
        }
    }

    /// `User "x" cannot patch resource "inferenceservices" in API group "serving.kserve.io" in the
    /// namespace "ml"` → `RBAC denied: user "x" may not patch inferenceservices.serving.kserve.io in namespace "ml"`.
    static func forbiddenMessage(_ message: String) -> String {
        let pattern = #"User "([^"]*)" cannot (\S+) resource "([^"]*)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message))
        else { return "forbidden: \(message)" }
        func group(_ index: Int) -> String? {
            guard let range = Range(match.range(at: index), in: message), !range.isEmpty else { return nil }
            return String(message[range])
        }
        let user = group(1) ?? "?"
        let verb = group(2) ?? "?"
        var resource = group(3) ?? "?"
        if let apiGroup = group(4) { resource += ".\(apiGroup)" }
        let scope = group(5).map { " in namespace \"\($0)\"" } ?? " (cluster scope)"
        return "RBAC denied: user \"\(user)\" may not \(verb) \(resource)\(scope); grant it with a Role (see deploy/rbac): \(message)"
    }

    /// `conflict with "kubectl-edit" using apps/v1` → `kubectl-edit`.
    static func managerName(_ causeMessage: String) -> String? {
        guard let start = causeMessage.range(of: "conflict with \"") else { return nil }
        let rest = causeMessage[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Maps a transport failure: deadlines to `.timeout`, TLS errors to `.tlsFailure`, the rest
    /// (refused, reset, DNS) to `.unreachable`.
    static func transport(_ error: any Error, method: String, server: String, path: String, timeout: Duration) -> KubeError {
        if let http = error as? HTTPClientError {
            switch http {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return KubeError(.timeout, "no answer from the API server at \(server) within \(timeout) (\(method) \(path)): \(http)")
            default:
                break
            }
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            return KubeError(
                .tlsFailure,
                "TLS with the API server at \(server) failed: \(error) (check certificate-authority, the server's host name, the client certificate)")
        }
        if error is CancellationError {
            return KubeError(.timeout, "the call \(method) \(path) to \(server) was cancelled")
        }
        return KubeError(.unreachable, "cannot reach the API server at \(server): \(error)")
    }
}
