import CairnCore

/// The tags and aliases of a page of registered models and model versions, read with one
/// statement per chunk of names: a UNION ALL of model tags (kind 1), aliases (kind 2) and version
/// tags (kind 3) in the layout `(kind, name, key_or_alias, value, version)`, ordered by kind and
/// key, the order MLflow lists them in. Each statement costs a round trip and a plan, which were
/// most of a registry search's time when every table had its own.
struct RegistryDetails {
    private(set) var modelTags: [ExactKey: [Tag]] = [:]
    private(set) var modelAliases: [ExactKey: [ModelAlias]] = [:]
    private var versionTags: [VersionKey: [Tag]] = [:]
    private var versionAliases: [VersionKey: [String]] = [:]

    /// A version by name (told apart by bytes, like the database) and number.
    private struct VersionKey: Hashable {
        var name: ExactKey
        var version: Int64

        init(name: String, version: Int64) {
            self.name = ExactKey(name)
            self.version = version
        }
    }

    /// More distinct version numbers than this are not bound (SQLite caps a statement's
    /// parameters); the version tags of every version of the names are read and filtered here.
    private static let maxBoundVersionNumbers = 1000
    private static let chunkSize = 500

    /// Reads the details of `names`; version tags only for `versions` (`modelTags: false` skips
    /// the model tags a version page does not show).
    static func load(names: [String], versions: [ModelVersion], modelTags: Bool, _ db: any SQLExecutor) async throws -> RegistryDetails {
        var details = RegistryDetails()
        var wanted: Set<VersionKey>?  // built when the first version tag arrives: most pages have none
        let numbers = Array(Set(versions.map(\.version))).sorted()
        for start in stride(from: 0, to: names.count, by: chunkSize) {
            let chunk = Array(names[start..<min(start + chunkSize, names.count)])
            for row in try await db.query(query(names: chunk, numbers: numbers, modelTags: modelTags, withVersionTags: !versions.isEmpty, db.dialect))
            {
                let name = row.string(1)
                switch row.int(0) {
                case 1:
                    details.modelTags[ExactKey(name), default: []].append(Tag(key: row.string(2), value: row.string(3)))
                case 2:
                    let alias = ModelAlias(alias: row.string(2), version: row.int(4))
                    details.modelAliases[ExactKey(name), default: []].append(alias)
                    details.versionAliases[VersionKey(name: name, version: alias.version), default: []].append(alias.alias)
                default:
                    let key = VersionKey(name: name, version: row.int(4))
                    if wanted == nil { wanted = Set(versions.map { VersionKey(name: $0.name, version: $0.version) }) }
                    if wanted?.contains(key) == true { details.versionTags[key, default: []].append(Tag(key: row.string(2), value: row.string(3))) }
                }
            }
        }
        return details
    }

    /// Sets the tags and aliases of `versions` in place.
    func attach(to versions: inout [ModelVersion]) {
        for index in versions.indices {
            let key = VersionKey(name: versions[index].name, version: versions[index].version)
            versions[index].tags = versionTags[key] ?? []
            versions[index].aliases = versionAliases[key] ?? []
        }
    }

    private static func query(names: [String], numbers: [Int64], modelTags: Bool, withVersionTags: Bool, _ dialect: SQLDialect) -> SQLBuilder {
        var builder = SQLBuilder(dialect: dialect)
        let inNames = builder.inList("name", texts: names)
        var branches = ["SELECT 2 AS kind, name, alias AS s1, NULL AS s2, version AS n1 FROM registered_model_aliases WHERE \(inNames)"]
        if modelTags {
            branches.append("SELECT 1, name, key, value, NULL FROM registered_model_tags WHERE \(inNames)")
        }
        if withVersionTags {
            var versionFilter = ""
            if numbers.count <= maxBoundVersionNumbers {
                versionFilter = " AND " + builder.inList("version", ints: numbers)
            }
            branches.append("SELECT 3, name, key, value, version FROM model_version_tags WHERE \(inNames)\(versionFilter)")
        }
        builder.append(branches.joined(separator: " UNION ALL ") + " ORDER BY 1, 3")
        return builder
    }
}
