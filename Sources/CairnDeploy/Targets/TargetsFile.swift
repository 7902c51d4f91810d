import CairnCore
import Foundation
import Yams

/// The promotion targets file (`--targets FILE`, `CAIRN_TARGETS`):
///
/// ```yaml
/// targets:
///   - name: prod
///     kind: kserve              # or: deployment
///     namespace: ml-prod
///     ...
/// ```
///
/// Parsing is strict: an unknown field, a field of the other kind, a wrong type or an invalid
/// Kubernetes name stops start-up with a message naming the file, the target, the field and the line.
public struct TargetsFile: Sendable, Equatable {
    /// The targets, in file order; names are unique.
    public var targets: [PromotionTarget]

    /// Creates a file value from targets.
    public init(targets: [PromotionTarget]) {
        self.targets = targets
    }

    /// The target called `name`, if any.
    public func target(named name: String) -> PromotionTarget? {
        targets.first { $0.name == name }
    }

    /// Reads and parses a targets file.
    /// - Parameter path: The file's path.
    /// - Throws: `CairnError` (`INVALID_PARAMETER_VALUE`) when it cannot be read or is malformed.
    public static func load(path: String) throws(CairnError) -> TargetsFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CairnError.invalidParameter("targets file \(path): cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    /// Parses the YAML text of a targets file.
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - source: How to name the file in error messages (usually its path).
    /// - Throws: `CairnError` (`INVALID_PARAMETER_VALUE`) naming the target, the field and the line.
    public static func parse(_ yaml: String, source: String = "targets file") throws(CairnError) -> TargetsFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw CairnError.invalidParameter("targets file \(source): not valid YAML: \(error)")
        }
        guard let root, case .mapping(let top) = root else {
            throw CairnError.invalidParameter("targets file \(source): must be a mapping with a 'targets' list")
        }
        for (key, _) in top where key.scalar?.string != "targets" {
            throw Self.error(source: source, target: nil, field: key.scalar?.string ?? "?", "is not a known top-level field", at: key)
        }
        guard let list = top["targets"], case .sequence(let items) = list else {
            throw Self.error(source: source, target: nil, field: "targets", "must be a list of targets", at: top["targets"] ?? root)
        }
        var targets: [PromotionTarget] = []
        var lines: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let target = try parseTarget(item, index: index, source: source)
            if let first = lines[target.name] {
                throw Self.error(
                    source: source, target: target.name, field: "name", "is used twice (first at line \(first))",
                    at: item.mapping?["name"])
            }
            lines[target.name] = item.mark?.line ?? 0
            targets.append(target)
        }
        return TargetsFile(targets: targets)
    }

    /// An error message naming everything a reader needs to find the mistake.
    static func error(source: String, target: String?, field: String, _ problem: String, at node: Node?) -> CairnError {
        var where_ = "targets file \(source)"
        if let line = node?.mark?.line { where_ += ", line \(line)" }
        if let target { where_ += ": target '\(target)'" }
        return CairnError.invalidParameter("\(where_): field '\(field)' \(problem)")
    }
}
