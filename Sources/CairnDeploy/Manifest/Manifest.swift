import CairnCore

/// One rendered Kubernetes object, ready for a server-side apply.
public struct Manifest: Sendable, Equatable {
    /// What kind of object this is, and where it lives in the API.
    public var type: ResourceType
    /// `metadata.namespace`.
    public var namespace: String
    /// `metadata.name`.
    public var name: String
    /// The whole object (`apiVersion`, `kind`, `metadata`, `spec`), keys in rendering order.
    public var body: JSONValue

    /// Creates a manifest.
    public init(type: ResourceType, namespace: String, name: String, body: JSONValue) {
        self.type = type
        self.namespace = namespace
        self.name = name
        self.body = body
    }

    /// The REST path to PATCH for a server-side apply of this object.
    public var path: String { type.path(namespace: namespace, name: name) }

    /// Compact JSON of ``body``, keys in rendering order. (Promotion hands ``body`` itself to the
    /// Kubernetes client, which writes the apply request's JSON.)
    public var json: String { ManifestEncoder.json(body) }

    /// ``body`` as a YAML document.
    public var yaml: String { ManifestEncoder.yaml(body) }
}
