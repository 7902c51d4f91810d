import CairnCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: gives each request an id (the client's `X-Request-Id` when it is a
/// sane one, else a new one) that its log lines carry and its response returns, times it into
/// ``ServerMetrics``'s request histogram under its route template, and writes one access-log line
/// per request (route, status, duration, token name, request id) at `accessLogLevel`.
struct RequestObservationMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext

    let metrics: ServerMetrics
    /// The level of the per-request line: `info` with `--log-format json` (log collectors
    /// index it), `debug` in the text format meant for a terminal.
    let accessLogLevel: Logger.Level

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    /// Methods that name their own series; any other is counted as `_OTHER` (OpenTelemetry's
    /// rule), so a client inventing methods cannot add series.
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestID(from: request.headers[Self.requestIDHeader])
        var context = context
        let record = RequestRecord()
        context.record = record
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let status: Int
        do {
            var response = try await next(request, context)
            response.headers[Self.requestIDHeader] = requestID
            status = response.status.code
            observe(request, context: context, record: record, status: status, since: start)
            return response
        } catch {
            // APIErrorMiddleware inside answers every error; what still escapes becomes a 500.
            observe(request, context: context, record: record, status: 500, since: start)
            throw error
        }
    }

    private func observe(_ request: Request, context: Context, record: RequestRecord, status: Int, since start: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - start
        let method = Self.knownMethods.contains(request.method) ? request.method.rawValue : "_OTHER"
        let route = context.endpointPath.map { $0 == "NotFound" ? "unmatched" : $0 } ?? "unmatched"
        metrics.recordRequest(method: method, route: route, status: status, duration: duration)
        guard context.logger.logLevel <= accessLogLevel else { return }
        context.logger.log(
            level: accessLogLevel, "request",
            metadata: [
                "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(status),
                "duration_ms": .string(DecimalText.fixed(Double(duration.nanoseconds) / 1_000_000, decimals: 3)),
                "token": .string(record.actor ?? "-"),
            ])
    }

    /// The client's id when it is 1 to 128 characters of letters, digits and `-_.:/+=`, else a
    /// new one (32 hex digits, ``RequestIDs``); never an id that could forge a log line.
    static func requestID(from header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count),
            header.utf8.allSatisfy({ byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || "-_.:/+=".utf8.contains(byte)
            })
        {
            return header
        }
        return RequestIDs.next()
    }
}
