import Foundation

/// The dashboard's templates (`web/templates/*.mustache`) and static assets (`web/static/`),
/// shipped with the binary as its resource bundle.
public enum CairnWeb {
    /// The folder holding the Mustache templates.
    public static var templatesDirectory: URL? {
        Bundle.module.resourceURL?.appendingPathComponent("templates")
    }

    /// The folder holding the static assets (stylesheet, script).
    public static var staticDirectory: URL? {
        Bundle.module.resourceURL?.appendingPathComponent("static")
    }
}
