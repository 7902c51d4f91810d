import CairnCore
import CairnStore
import Foundation
import HTTPTypes
import Hummingbird

extension DashboardController {
    /// The largest sign-in form read (a token and a return path).
    static let maximumFormSize = 16 * 1024

    /// A 303 to `location` (a path on this server).
    static func redirect(to location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// Where to go after signing in: a path on this server only (never `//host` or a URL).
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { return "/" }
        return text
    }

    /// The session cookie: HttpOnly (no script can read it), SameSite=Strict (no other site's
    /// page can send it), Secure when the server serves HTTPS; `maxAge` 0 deletes it.
    func sessionCookie(_ value: String, maxAge: Int64) -> String {
        "\(Authenticator.sessionCookie)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secureCookies ? "; Secure" : "")"
    }

    @Sendable func signInForm(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard sessions != nil else { return Self.redirect(to: "/") }
        return try await pages.page("signin", ["title": "Sign in", "next": Self.safeNext(request.query("next"))])
    }

    /// Signs a browser in with an API token (form field `token`): the token is checked, a session
    /// is started and its id set as an HttpOnly cookie; the token itself is not kept.
    @Sendable func signIn(_ request: Request, context: CairnRequestContext) async throws -> Response {
        guard let sessions, let tokens = authenticator.tokens else { return Self.redirect(to: "/") }
        // Only this server's own form signs in (no other site may sign a browser into a session).
        if let origin = request.headers[.origin], URL(string: origin)?.host != request.head.authority?.split(separator: ":").first.map(String.init) {
            throw CairnError(.permissionDenied, "Sign-in is accepted from this server's own page only")
        }
        let body = try await request.body.collect(upTo: Self.maximumFormSize)
        let form = Self.formFields(String(buffer: body))
        let next = Self.safeNext(form["next"])
        guard let secret = form["token"], !secret.isEmpty, let token = try await tokens.authenticate(secret: secret) else {
            return try await pages.page(
                "signin", ["title": "Sign in", "next": next, "error": "That token is unknown, revoked or expired."], status: .unauthorized)
        }
        let id = try await sessions.create(for: token)
        return Self.redirect(to: next, cookie: sessionCookie(id, maxAge: SessionStore.lifetime / 1000))
    }

    /// Ends the browser's session and deletes its cookie.
    @Sendable func signOut(_ request: Request, context: CairnRequestContext) async throws -> Response {
        if let sessions, let id = Authenticator.sessionID(request) {
            try await sessions.end(session: id)
        }
        return Self.redirect(to: sessions == nil ? "/" : "/signin", cookie: sessionCookie("", maxAge: 0))
    }

    /// Renders a page for the request's principal: the header then says who is signed in.
    func render(_ context: CairnRequestContext, _ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        var values = values
        if sessions != nil, case .token(let token)? = context.principal {
            values["signedIn"] = token.name
        }
        return try await pages.page(template, values, status: status)
    }

    /// The fields of an `application/x-www-form-urlencoded` body (`+` is a space).
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0])] = parts.count == 2 ? decode(parts[1]) : ""
        }
        return fields
    }
}
