import CairnCore

/// Turns S3 transport failures and error answers into ``CairnError``s with a clear message:
/// unreachable or overloaded S3 → 503, S3 refusing (credentials, bucket, policy) → 502, a missing
/// object → 404.
enum S3Failure {
    static func unreachable(_ error: any Error, endpoint: S3Endpoint, operation: String) -> CairnError {
        if let cairn = error as? CairnError { return cairn }
        return CairnError(
            .temporarilyUnavailable,
            "The S3 artifact store at \(endpoint) is unreachable (\(operation)): \(error). Tracking still works; retry artifact operations later.")
    }

    static func answered(status: UInt, body: String, bucket: String, key: String?) -> CairnError {
        let code = S3XML.firstValue(of: "Code", in: body) ?? "HTTP \(status)"
        let message = S3XML.firstValue(of: "Message", in: body).map { ": \($0)" } ?? ""
        let subject = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        switch (status, code) {
        case (404, "NoSuchKey"), (404, "HTTP 404"):
            return .notFound("Artifact \(subject) not found")
        case (404, "NoSuchBucket"):
            return CairnError(.badGateway, "The S3 bucket '\(bucket)' does not exist (NoSuchBucket); create it or fix --artifacts-uri")
        case (412, _):
            // Only the If-Match of a download's later parts asks for a precondition.
            return CairnError(.resourceConflict, "\(subject) was replaced while it was being downloaded (\(code)); retry the download")
        case (401, _), (403, _):
            return CairnError(.badGateway, "S3 denied access to \(subject) (\(code)\(message)); check the S3 credentials and bucket policy")
        case (500..., _):
            return CairnError(.temporarilyUnavailable, "The S3 artifact store failed on \(subject) (\(code)\(message)); retry later")
        default:
            return CairnError(.badGateway, "S3 refused the request on \(subject) (HTTP \(status) \(code)\(message))")
        }
    }
}
