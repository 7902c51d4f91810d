import CairnCore
import Logging

/// Turns S3 transport failures and error answers into ``CairnError``s with a clear message:
/// unreachable or overloaded S3 → 503, S3 refusing (credentials, bucket, policy) → 502, a missing
/// object → 404. Clients are told what happened and what to do, never where the store is: the
/// endpoint, bucket and key (and S3's own message, which may name them) go to the server log.
enum S3Failure {
    static func unreachable(_ error: any Error, endpoint: S3Endpoint, operation: String, logger: Logger) -> CairnError {
        if let cairn = error as? CairnError { return cairn }
        logger.warning("S3 unreachable", metadata: ["endpoint": "\(endpoint)", "operation": "\(operation)", "error": "\(error)"])
        return CairnError(
            .temporarilyUnavailable,
            "The S3 artifact store is unreachable (the server log has the details). Tracking still works; retry artifact operations later.")
    }

    static func answered(status: UInt, body: String, bucket: String, key: String?, logger: Logger) -> CairnError {
        let code = S3XML.firstValue(of: "Code", in: body) ?? "HTTP \(status)"
        let message = S3XML.firstValue(of: "Message", in: body) ?? ""
        let subject = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        if status != 404 || code == "NoSuchBucket" {
            logger.warning(
                "S3 refused a request", metadata: ["object": "\(subject)", "status": "\(status)", "code": "\(code)", "message": "\(message)"])
        }
        switch (status, code) {
        case (404, "NoSuchKey"), (404, "HTTP 404"):
            return .notFound("Artifact not found")
        case (404, "NoSuchBucket"):
            return CairnError(
                .badGateway, "The artifact store's S3 bucket does not exist (NoSuchBucket); the operator must create it or fix --artifacts-uri")
        case (412, _):
            // Only the If-Match of a download's later parts asks for a precondition.
            return CairnError(.resourceConflict, "The artifact was replaced while it was being downloaded (\(code)); retry the download")
        case (401, _), (403, _):
            return CairnError(
                .badGateway, "S3 denied access to the artifact store (\(code)); the operator must check the S3 credentials and bucket policy")
        case (500..., _):
            return CairnError(.temporarilyUnavailable, "The S3 artifact store failed (\(code)); retry later")
        default:
            return CairnError(.badGateway, "S3 refused the request (HTTP \(status) \(code)); the server log has the details")
        }
    }
}
