import Foundation

extension KubeConfig {
    /// Loads a kubeconfig file and resolves one of its contexts.
    /// - Parameters:
    ///   - path: the kubeconfig file; relative file references inside it resolve against its directory.
    ///   - context: the context to use; `nil` uses `current-context`.
    ///   - environment: the process environment, for `~/` paths and exec credential plugins.
    /// - Throws: ``KubeError/Code/invalidConfiguration`` naming the missing or invalid field.
    public static func load(path: String, context: String? = nil, environment: [String: String] = [:]) throws -> KubeConfig {
        try load(paths: [path], context: context, environment: environment)
    }

    /// Loads several kubeconfig files merged as `KUBECONFIG=a:b:c` does (the first file that
    /// defines a name wins) and resolves one context.
    /// - Parameters:
    ///   - paths: the files, in priority order; missing files are skipped unless all are missing.
    ///   - context: the context to use; `nil` uses the first `current-context` set.
    ///   - environment: the process environment, for `~/` paths and exec credential plugins.
    /// - Throws: ``KubeError/Code/invalidConfiguration`` naming the missing or invalid field.
    public static func load(paths: [String], context: String? = nil, environment: [String: String] = [:]) throws -> KubeConfig {
        var document = KubeConfigDocument()
        document.processEnvironment = environment
        var read = 0
        for path in paths where !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            try document.merge(
                yaml: String(decoding: data, as: UTF8.self), directory: (path as NSString).deletingLastPathComponent,
                source: path)
            read += 1
        }
        guard read > 0 else {
            throw KubeError.invalidConfiguration("cannot read kubeconfig \(paths.joined(separator: ":"))")
        }
        return try document.resolve(context: context)
    }

    /// Parses kubeconfig YAML text and resolves one of its contexts.
    /// - Parameters:
    ///   - yaml: the kubeconfig document.
    ///   - directory: the directory relative file references resolve against.
    ///   - context: the context to use; `nil` uses `current-context`.
    /// - Throws: ``KubeError/Code/invalidConfiguration`` naming the missing or invalid field.
    public static func parse(yaml: String, directory: String = "", context: String? = nil, environment: [String: String] = [:]) throws
        -> KubeConfig
    {
        var document = KubeConfigDocument()
        document.processEnvironment = environment
        try document.merge(yaml: yaml, directory: directory, source: "kubeconfig")
        return try document.resolve(context: context)
    }
}
