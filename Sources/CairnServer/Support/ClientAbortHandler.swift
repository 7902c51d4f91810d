import HummingbirdCore
import NIOCore
import NIOHTTPTypes


/// Closes a connection whose client stopped sending (end of input) while a request on it is
/// still being answered, as nginx does (its 499): HTTP/1 clients do not half-close and then wait
/// for an answer, so an end of input mid-request means the client has gone. Hummingbird allows
/// half-closure, so without this the connection would stay open (CLOSE-WAIT) and the request
/// would run to its end; closed, the request's handler is cancelled by
/// ``DisconnectCancellationMiddleware``. An end of input between requests is passed on unchanged.
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
