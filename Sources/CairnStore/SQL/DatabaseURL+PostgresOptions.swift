import CairnCore

extension DatabaseURL.Postgres {
    /// The options a PostgreSQL URL's query may carry.
    static let optionNames = ["sslmode", "sslrootcert", "sslcert", "sslkey", "prepared_statements", "parallel_query"]

    /// Applies the options of a PostgreSQL URL's query (`sslmode=verify-full&sslrootcert=/ca.pem`).
    /// Refused: an unknown option (a misspelt one would otherwise be ignored silently), a value an
    /// option does not take, and combinations libpq refuses or that would quietly do nothing:
    /// `verify-ca`/`verify-full` without `sslrootcert`, `sslrootcert=system` with a weaker mode
    /// than `verify-full`, `sslcert` without `sslkey` (or the reverse), and TLS files with a mode
    /// that never encrypts. Files are only named here; ``PostgresTLS`` reads them.
    mutating func apply(query: Substring, scheme: String) throws(DatabaseURLError) {
        var mode: SSLMode?
        var certificate: String?
        var key: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(parts[0])
            let value = parts.count > 1 ? PercentEncoding.decode(parts[1]) : ""
            switch name {
            case "sslmode":
                guard let parsed = SSLMode(rawValue: value.lowercased()) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw DatabaseURLError("'\(scheme)…': sslmode must be one of \(modes), not '\(value)'")
                }
                mode = parsed
            case "sslrootcert":
                guard !value.isEmpty else { throw DatabaseURLError("'\(scheme)…': sslrootcert needs a PEM file path (or system)") }
                trustRoots = value == "system" ? .system : .file(value)
            case "sslcert", "sslkey":
                guard !value.isEmpty else { throw DatabaseURLError("'\(scheme)…': \(name) needs a PEM file path") }
                if name == "sslcert" { certificate = value } else { key = value }
            case "prepared_statements", "parallel_query":
                let on: Bool
                switch value.lowercased() {
                case "true", "on", "1": on = true
                case "false", "off", "0": on = false
                default: throw DatabaseURLError("'\(scheme)…': \(name) must be true or false, not '\(value)'")
                }
                if name == "prepared_statements" { preparedStatements = on } else { parallelQuery = on }
            default:
                let names = Self.optionNames.joined(separator: ", ")
                throw DatabaseURLError("'\(scheme)…': unknown option '\(name)' (options: \(names))")
            }
        }
        // libpq 16: sslrootcert=system makes verify-full the default and refuses weaker modes.
        sslMode = mode ?? (trustRoots == .system ? .verifyFull : .prefer)
        switch (certificate, key) {
        case (let certificate?, let key?): clientCertificate = ClientCertificate(certificateChain: certificate, privateKey: key)
        case (nil, nil): clientCertificate = nil
        case (nil, _?): throw DatabaseURLError("'\(scheme)…': sslkey needs sslcert (the client certificate it belongs to)")
        case (_?, nil): throw DatabaseURLError("'\(scheme)…': sslcert needs sslkey (the certificate's private key)")
        }
        if !sslMode.usesTLS && (trustRoots != nil || clientCertificate != nil) {
            throw DatabaseURLError(
                "'\(scheme)…': sslrootcert, sslcert and sslkey have no effect with sslmode=\(sslMode.rawValue), which connects without TLS")
        }
        if trustRoots == .system && sslMode != .verifyFull {
            throw DatabaseURLError("'\(scheme)…': sslrootcert=system needs sslmode=verify-full (a public CA vouches for names, not servers)")
        }
        if (sslMode == .verifyCA || sslMode == .verifyFull) && trustRoots == nil {
            throw DatabaseURLError(
                "'\(scheme)…': sslmode=\(sslMode.rawValue) needs sslrootcert=PATH (a PEM file of the CA that signed the server's certificate), or sslrootcert=system"
            )
        }
    }
}
