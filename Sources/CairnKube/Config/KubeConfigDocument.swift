import Foundation
import Yams

/// One or more kubeconfig files merged as `KUBECONFIG=a:b` is: the first file that names a
/// cluster, user or context wins, and the first non-empty `current-context` wins.
struct KubeConfigDocument {
    /// A named entry (`clusters[]`, `users[]`, `contexts[]`) and the directory of its file, against
    /// which relative paths resolve.
    struct Entry {
        let field: YAMLField
        let directory: String
    }

    private(set) var clusters: [String: Entry] = [:]
    private(set) var users: [String: Entry] = [:]
    private(set) var contexts: [String: Entry] = [:]
    private(set) var currentContext: String?
    private(set) var sources: [String] = []
    /// The environment of the process using the kubeconfig (passed in, never read here): `HOME`
    /// for `~/` paths, and the environment exec credential plugins start from.
    var processEnvironment: [String: String] = [:]

    /// Adds one file's entries.
    mutating func merge(yaml: String, directory: String, source: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw KubeError.invalidConfiguration("\(source) is not valid YAML: \(error)")
        }
        sources.append(source)
        guard let root else { return }
        guard case .mapping = root else {
            throw KubeError.invalidConfiguration("\(source) is not a kubeconfig: the top level must be a mapping")
        }
        let document = YAMLField(node: root, path: "")
        if let kind = try document.string("kind"), kind != "Config" {
            throw KubeError.invalidConfiguration("\(source) is not a kubeconfig: kind is \"\(kind)\", not \"Config\"")
        }
        try add(document, list: "clusters", body: "cluster", directory: directory, into: &clusters)
        try add(document, list: "users", body: "user", directory: directory, into: &users)
        try add(document, list: "contexts", body: "context", directory: directory, into: &contexts)
        if currentContext == nil, let current = try document.string("current-context"), !current.isEmpty {
            currentContext = current
        }
    }

    private func add(_ document: YAMLField, list: String, body: String, directory: String, into table: inout [String: Entry]) throws {
        for element in try document.sequence(list) {
            let name = try element.requiredString("name")
            let named = YAMLField(node: element.node, path: "\(list)[\"\(name)\"]")
            guard let content = try named.mapping(body) else {
                throw KubeError.invalidConfiguration("\(named.path).\(body) is missing")
            }
            if table[name] == nil { table[name] = Entry(field: content, directory: directory) }
        }
    }

    /// The configuration of `context`, or of `current-context` when `context` is nil.
    func resolve(context requested: String?) throws -> KubeConfig {
        let where_ = sources.joined(separator: ", ")
        guard let contextName = requested ?? currentContext else {
            throw KubeError.invalidConfiguration("no context given and current-context is not set in \(where_)")
        }
        guard let context = contexts[contextName] else {
            let known = contexts.keys.sorted().joined(separator: ", ")
            throw KubeError.invalidConfiguration(
                "context \"\(contextName)\" not found in \(where_) (contexts: \(known.isEmpty ? "none" : known))")
        }
        let clusterName = try context.field.requiredString("cluster")
        guard let cluster = clusters[clusterName] else {
            throw KubeError.invalidConfiguration("\(context.field.path).cluster names \"\(clusterName)\", which is not in clusters")
        }
        var credentials = KubeCredentials.anonymous
        if let userName = try context.field.string("user"), !userName.isEmpty {
            guard let user = users[userName] else {
                throw KubeError.invalidConfiguration("\(context.field.path).user names \"\(userName)\", which is not in users")
            }
            credentials = try self.credentials(user)
        }
        let tls = try self.tls(cluster)
        let server = try cluster.field.requiredString("server")
        return try KubeConfig(
            server: KubeConfig.normalizedServer(server, field: "\(cluster.field.path).server"),
            namespace: try context.field.string("namespace") ?? "default", tls: tls, credentials: credentials,
            contextName: contextName)
    }

    private func tls(_ cluster: Entry) throws -> KubeConfig.TLS {
        let field = cluster.field
        let insecure = try field.bool("insecure-skip-tls-verify") ?? false
        var ca: [UInt8]?
        if let data = try field.string("certificate-authority-data"), !data.isEmpty {
            ca = try base64(data, field: "\(field.path).certificate-authority-data")
        } else if let file = try field.string("certificate-authority"), !file.isEmpty {
            ca = try KubeConfig.readFile(resolvePath(file, in: cluster.directory), field: "\(field.path).certificate-authority")
        }
        if let ca {
            if insecure {
                throw KubeError.invalidConfiguration(
                    "\(field.path): certificate-authority and insecure-skip-tls-verify cannot both be set")
            }
            try KubeConfig.validateCertificates(ca, field: "\(field.path).certificate-authority")
        }
        return KubeConfig.TLS(certificateAuthorityPEM: ca, insecureSkipVerify: insecure, serverName: try field.string("tls-server-name"))
    }

    private func credentials(_ user: Entry) throws -> KubeCredentials {
        let field = user.field
        if try field.mapping("auth-provider") != nil {
            throw KubeError.invalidConfiguration(
                "\(field.path).auth-provider is not supported (removed from Kubernetes in 1.26): use an exec plugin")
        }
        if try field.string("username") != nil || field.string("password") != nil {
            throw KubeError.invalidConfiguration("\(field.path): username/password (basic auth) is not supported")
        }
        var credentials = KubeCredentials()
        if let token = try field.string("token"), !token.isEmpty {
            credentials.bearerToken = .literal(token)
        } else if let file = try field.string("tokenFile"), !file.isEmpty {
            let path = resolvePath(file, in: user.directory)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw KubeError.invalidConfiguration("\(field.path).tokenFile: cannot read file \(path)")
            }
            credentials.bearerToken = .file(path: path)
        }
        let certificate = try pem(field, "client-certificate", directory: user.directory)
        let key = try pem(field, "client-key", directory: user.directory)
        switch (certificate, key) {
        case (let certificate?, let key?):
            try KubeConfig.validateCertificates(certificate, field: "\(field.path).client-certificate")
            _ = try KubeConfig.privateKey(key, field: "\(field.path).client-key")
            credentials.clientCertificate = .init(certificatePEM: certificate, privateKeyPEM: key)
        case (.some, nil):
            throw KubeError.invalidConfiguration("\(field.path) has client-certificate but no client-key")
        case (nil, .some):
            throw KubeError.invalidConfiguration("\(field.path) has client-key but no client-certificate")
        case (nil, nil):
            break
        }
        if let exec = try field.mapping("exec") {
            if credentials.bearerToken != nil {
                throw KubeError.invalidConfiguration("\(field.path): token and exec cannot both be set")
            }
            credentials.exec = try execConfig(exec, directory: user.directory)
        }
        return credentials
    }

    private func execConfig(_ exec: YAMLField, directory: String) throws -> ExecCredentialConfig {
        let apiVersion = try exec.requiredString("apiVersion")
        guard ExecCredentialConfig.supportedAPIVersions.contains(apiVersion) else {
            throw KubeError.invalidConfiguration(
                "\(exec.path).apiVersion \"\(apiVersion)\" is not supported (use \(ExecCredentialConfig.supportedAPIVersions.joined(separator: " or ")))"
            )
        }
        var command = try exec.requiredString("command")
        if command.contains("/") && !command.hasPrefix("/") { command = resolvePath(command, in: directory) }
        let environment = try exec.sequence("env").map { entry in
            ExecCredentialConfig.EnvironmentVariable(name: try entry.requiredString("name"), value: try entry.string("value") ?? "")
        }
        let interactive = try exec.string("interactiveMode")
        if let interactive, !["Never", "IfAvailable", "Always"].contains(interactive) {
            throw KubeError.invalidConfiguration("\(exec.path).interactiveMode must be Never, IfAvailable or Always, not \"\(interactive)\"")
        }
        if interactive == "Always" {
            throw KubeError.invalidConfiguration("\(exec.path).interactiveMode is Always, but Cairn runs without a terminal")
        }
        return ExecCredentialConfig(
            apiVersion: apiVersion, command: command, arguments: try exec.strings("args"), environment: environment,
            interactiveMode: interactive, provideClusterInfo: try exec.bool("provideClusterInfo") ?? false,
            installHint: try exec.string("installHint"), inheritedEnvironment: processEnvironment)
    }

    private func pem(_ field: YAMLField, _ name: String, directory: String) throws -> [UInt8]? {
        if let data = try field.string("\(name)-data"), !data.isEmpty {
            return try base64(data, field: "\(field.path).\(name)-data")
        }
        if let file = try field.string(name), !file.isEmpty {
            return try KubeConfig.readFile(resolvePath(file, in: directory), field: "\(field.path).\(name)")
        }
        return nil
    }

    private func base64(_ text: String, field: String) throws -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw KubeError.invalidConfiguration("\(field) is not valid base64")
        }
        return Array(data)
    }

    /// A path the kubeconfig names, made absolute: `~/` against the process's `HOME`, a relative
    /// path against the kubeconfig's own directory.
    func resolvePath(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        if path.hasPrefix("~/"), let home = processEnvironment["HOME"] { return home + path.dropFirst() }
        return (directory as NSString).appendingPathComponent(path)
    }
}
