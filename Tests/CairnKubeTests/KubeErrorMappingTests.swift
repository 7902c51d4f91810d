import CairnCore
import Testing

@testable import CairnKube

@Suite struct KubeErrorMappingTests {
    static func status(_ code: Int, _ reason: String, _ message: String, causes: [JSONValue] = []) -> [UInt8] {
        let value: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "message": .string(message), "reason": .string(reason),
            "details": ["causes": .array(causes)], "code": .int(Int64(code)),
        ]
        return Array(value.jsonString.utf8)
    }

    @Test func fieldManagerConflictNamesTheOtherManagers() {
        let body = Self.status(
            409, "Conflict", "Apply failed with 2 conflicts: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas",
            causes: [
                ["reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using apps/v1", "field": ".spec.replicas"],
                [
                    "reason": "FieldManagerConflict", "message": "conflict with \"argocd\"",
                    "field": ".spec.template.spec.containers[name=\"server\"].image",
                ],
            ])
        let error = KubeError.fromResponse(status: 409, body: body, path: "/apis/apps/v1/namespaces/ml/deployments/fraud")
        #expect(error.code == .conflict)
        #expect(error.conflictingManagers == ["kubectl-edit", "argocd"])
        #expect(
            error.message.hasPrefix(
                "server-side apply conflict with field managers \"kubectl-edit\", \"argocd\": .spec.replicas (owned by \"kubectl-edit\")"))
        #expect(error.message.contains("apply with force"))
        #expect(error.cairnError.code == .resourceConflict)
    }

    @Test func staleResourceVersionConflict() {
        let body = Self.status(409, "Conflict", "Operation cannot be fulfilled on deployments.apps \"fraud\": the object has been modified")
        let error = KubeError.fromResponse(status: 409, body: body, path: "/p")
        #expect(error.code == .conflict)
        #expect(error.conflictingManagers.isEmpty)
        #expect(error.message.contains("the object has been modified"))
    }

    @Test func rbacDenialNamesVerbAndResource() {
        let message =
            #"inferenceservices.serving.kserve.io "fraud" is forbidden: User "cairn-limited" cannot patch resource "inferenceservices" in API group "serving.kserve.io" in the namespace "ml-prod""#
        let error = KubeError.fromResponse(status: 403, body: Self.status(403, "Forbidden", message), path: "/p")
        #expect(error.code == .forbidden)
        #expect(
            error.message.hasPrefix(#"RBAC denied: user "cairn-limited" may not patch inferenceservices.serving.kserve.io in namespace "ml-prod""#))
        #expect(error.cairnError.code == .permissionDenied)

        let core = #"namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope"#
        let coreError = KubeError.fromResponse(status: 403, body: Self.status(403, "Forbidden", core), path: "/p")
        #expect(coreError.message.hasPrefix(#"RBAC denied: user "bob" may not list namespaces (cluster scope)"#))
    }

    @Test func admissionWebhookDenialIsNotRBAC() {
        let message =
            #"admission webhook "inferenceservice.kserve-webhook-server.validator" denied the request: update rejected: deploymentMode cannot be changed"#
        let error = KubeError.fromResponse(status: 403, body: Self.status(403, "Forbidden", message), path: "/p")
        #expect(error.code == .admissionDenied)
        #expect(error.message.contains("deploymentMode cannot be changed"))
    }

    @Test func validationRejectionListsTheCauses() {
        let body = Self.status(
            422, "Invalid", "InferenceService.serving.kserve.io \"fraud\" is invalid: ...",
            causes: [
                ["reason": "FieldValueNotSupported", "message": "Unsupported value: \"v9\"", "field": "spec.predictor.model.protocolVersion"],
                ["reason": "FieldValueRequired", "message": "Required value", "field": "spec.predictor.model.modelFormat"],
            ])
        let error = KubeError.fromResponse(status: 422, body: body, path: "/p")
        #expect(error.code == .invalid)
        #expect(
            error.message
                == "the API server rejected the object: spec.predictor.model.protocolVersion: Unsupported value: \"v9\"; spec.predictor.model.modelFormat: Required value"
        )
        #expect(error.causes.count == 2)
    }

    @Test(arguments: [
        (400, KubeError.Code.badRequest), (401, .unauthorized), (404, .notFound), (429, .tooManyRequests), (500, .serverError),
        (504, .serverError), (302, .invalidResponse),
    ])
    func otherStatuses(status: Int, code: KubeError.Code) {
        let error = KubeError.fromResponse(status: status, body: Array("404 page not found".utf8), path: "/apis/x")
        #expect(error.code == code)
        #expect(error.httpStatus == status)
        #expect(error.message.contains("404 page not found"))
    }
}
