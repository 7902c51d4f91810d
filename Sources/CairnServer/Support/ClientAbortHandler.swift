import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client stopped sending (end of input) while a request on it is
/// still being answered, as nginx does (its 499): an end of input mid-request almost always means
/// the client has gone. Hummingbird allows half-closure, so without this the connection would
/// stay open (CLOSE-WAIT) and the request would run to its end; closed, a read-only request's
/// handler is cancelled (``DisconnectCancellation``), while a write still runs to its end.
/// > Warning: a client that half-closes on purpose after sending its request (HTTP/1.0 style,
/// > `nc -N`) gets no answer; pipelined requests queued behind it are dropped too. No HTTP/1.1
/// > client we know of (mlflow's `requests`, curl, browsers) does this.
/// An end of input between requests is passed on unchanged.
final class ClientAbortHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head arrived and whose answer has not ended (pipelining may stack them).
    private var inFlight = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inFlight = max(0, inFlight - 1) }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, inFlight > 0 {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
