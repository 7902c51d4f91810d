import CairnWeb
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The dashboard's templates and static files, read from the `CairnWeb` bundle on first use and
/// kept in memory; pages are rendered with a strict Content-Security-Policy: every byte comes
/// from the server's own origin, no inline script (only `/static/cairn.js`, which adds chart
/// read-outs and zoom; every page works without it), nothing from a CDN.
actor DashboardPages {
    private var library: MustacheLibrary?
    private var assets: [String: ByteBuffer] = [:]

    /// The policy of every dashboard response.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

    /// The static files served under `/static/`, and their types.
    static let assetTypes = [
        "cairn.css": "text/css; charset=utf-8", "cairn.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml",
    ]

    /// Renders `template` with `context` as an HTML response.
    /// The actor only loads the templates; rendering runs on the caller's task, so pages render in
    /// parallel.
    nonisolated func page(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let library = try await loadedLibrary()
        // An absent optional must be absent for the template (a section on `nil` would render it).
        let present = context.filter { !Self.isNil($0.value) }
        guard let html = library.render(present, withTemplate: template) else {
            throw DashboardError("the template \(template) is missing from the build")
        }
        return Response(status: status, headers: Self.headers(type: "text/html; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A static file, or nil for a name that is not one.
    func asset(_ name: String) throws -> Response? {
        guard let type = Self.assetTypes[name] else { return nil }
        if assets[name] == nil {
            guard let directory = CairnWeb.staticDirectory else { throw DashboardError("the static files are missing from the build") }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            assets[name] = ByteBuffer(bytes: data)
        }
        var headers = Self.headers(type: type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: assets[name]!))
    }

    private func loadedLibrary() async throws -> MustacheLibrary {
        if let library { return library }
        guard let directory = CairnWeb.templatesDirectory else { throw DashboardError("the templates are missing from the build") }
        let loaded = try await MustacheLibrary(directory: directory.path)
        library = loaded
        return loaded
    }

    static func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    static func headers(type: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-store"]
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
        headers[.init("X-Frame-Options")!] = "DENY"
        return headers
    }
}

/// The dashboard could not render (a template or asset missing from the build).
struct DashboardError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
