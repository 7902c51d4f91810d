import CairnCore

/// Validates a model version's `source` and resolves where its files are, in the order of MLflow
/// 3.17's `_create_model_version` (its messages, status codes and all):
/// 1. prompt versions (tag `mlflow.prompt.is_prompt=true`): only MLflow's placeholder sources
///    (`dummy-source`, `prompt-template`), nothing looked up.
/// 2. a scheme that addresses another host (`http`, `https`, `ftp`, `hdfs`, …) is refused.
/// 3. `models:/<name>/<version|stage|latest>` and `models:/<name>@<alias>` name another
///    registered version: the source becomes `models:/<name>/<version>`, the version's run and
///    logged model are inherited (a `run_id`/`model_id` given must match them), its files are
///    that version's.
/// 4. with a `model_id`: the source must lie in that logged model (`models:/<model_id>`, or a
///    proxied or local path inside its artifacts); otherwise with the `run_id`:
///    `runs:/<run_id>/<path>` (the run need not exist here: MLflow's registry may live apart from
///    its tracking store), or a proxied or local path inside the run's artifacts (the run must
///    exist). Other URIs (`s3://`, `gs://`, …) are used as they are, without relative references.
/// 5. `models:/<model_id>`: the model must exist (500 `INTERNAL_ERROR` otherwise, MLflow's
///    answer); files at the model's artifacts. A `model_id` without `run_id` takes the model's run.
struct ModelSourceResolver {
    struct Resolution {
        var source: String
        var storageLocation: String
        var runID: String
        var modelID: String
    }

    let tracking: SQLTrackingStore
    let registry: SQLRegistryStore

    func resolve(_ request: CreateModelVersionRequest) async throws -> Resolution {
        var source = request.source
        guard !source.trimmingWhitespace().isEmpty else { throw CairnError.invalidParameter(MLflowMessages.missingValue("source")) }
        var runID = request.runID.flatMap { $0.isEmpty ? nil : $0 }
        var modelID = request.modelID.flatMap { $0.isEmpty ? nil : $0 }
        if RegistryRules.isPrompt(request.tags) {
            try RegistryRules.validatePromptSource(source)
            return Resolution(source: source, storageLocation: source, runID: runID ?? "", modelID: modelID ?? "")
        }
        try ArtifactLocation.refuseHostAddressedScheme(source, parameter: "source")

        var inheritedLocation: String?
        let isModels = ArtifactLocation.scheme(of: source) == "models"
        if isModels, source.dropFirst("models:".count).hasPrefix("//") {
            throw CairnError.invalidParameter(
                "Invalid model version source: '\(source)'. Registered model sources must use the active model registry.")
        }
        let parsed = isModels ? ModelVersionSource.parseModelsURI(source) : nil
        if isModels, parsed == nil { throw ModelVersionSource.notIdentified(source, by: "model_id") }
        if let parsed, parsed.loggedModelID == nil {
            let other = try await referencedVersion(parsed)
            if (request.runID != nil && (request.runID ?? "") != other.runID) || (request.modelID != nil && (request.modelID ?? "") != other.modelID)
            {
                throw CairnError.invalidParameter(
                    "Invalid model version source: '\(source)'. The run_id and model_id request parameters must match the referenced model version.")
            }
            source = "models:/\(other.name)/\(other.version)"
            runID = request.runID != nil ? runID : (other.runID.isEmpty ? nil : other.runID)
            modelID = request.modelID != nil ? modelID : (other.modelID.isEmpty ? nil : other.modelID)
            inheritedLocation = other.storageLocation.isEmpty ? other.source : other.storageLocation
        }

        if let modelID {
            try await validate(source, within: modelID, parsed: parsed)
        } else {
            try await validate(source, run: runID, parsed: parsed)
        }

        var storageLocation = inheritedLocation ?? source
        if let loggedModelID = parsed?.loggedModelID {
            let model: LoggedModel
            do {
                model = try await tracking.loggedModel(id: loggedModelID)
            } catch let error as CairnError {
                // MLflow's text; MLflow answers 500, Cairn 400: bad input never gets a 5xx.
                throw CairnError.invalidParameter(
                    "Unable to fetch model from model URI source artifact location '\(source)'.Error: \(error.message)")
            }
            storageLocation = model.artifactLocation
            if runID == nil, !model.sourceRunID.isEmpty { runID = model.sourceRunID }
        } else if inheritedLocation == nil, source.hasPrefix("runs:/") {
            storageLocation = try await runsLocation(source)
        }
        if runID == nil, let modelID {
            let model = try await tracking.loggedModel(id: modelID)
            if !model.sourceRunID.isEmpty { runID = model.sourceRunID }
        }
        return Resolution(source: source, storageLocation: storageLocation, runID: runID ?? "", modelID: modelID ?? "")
    }

    /// The registered version a `models:/<name>/…` or `models:/<name>@alias` source names.
    private func referencedVersion(_ uri: ModelVersionSource.ModelsURI) async throws -> ModelVersion {
        let name: String
        switch uri {
        case .version(let n, _), .latest(let n), .stage(let n, _), .alias(let n, _): name = n
        case .loggedModel: throw CairnError(.internalError, "not a registered model source")
        }
        let model = try await registry.registeredModel(name: name)
        if RegistryRules.isPrompt(model.tags) {
            throw CairnError.invalidParameter(
                "Invalid model version source: 'models:/\(name)'. Prompt versions cannot be used as model version sources.")
        }
        switch uri {
        case .version(_, let version):
            return try await registry.modelVersion(name: name, version: version)
        case .alias(_, let alias):
            return try await registry.modelVersion(name: name, alias: alias)
        case .latest:
            guard let latest = model.latestVersions.map(\.version).max() else {
                throw CairnError.notFound("No versions of model with name '\(name)' found")
            }
            return try await registry.modelVersion(name: name, version: latest)
        case .stage(_, let wire):
            let stage = try ModelStage(wire: wire)
            guard let latest = model.latestVersions.filter({ $0.currentStage == stage }).map(\.version).max() else {
                throw CairnError.notFound("No versions of model with name '\(name)' and stage '\(wire)' found")
            }
            return try await registry.modelVersion(name: name, version: latest)
        case .loggedModel:
            throw CairnError(.internalError, "not a registered model source")
        }
    }

    /// MLflow's `_validate_source_run`: the source must be reachable through the run.
    private func validate(_ source: String, run runID: String?, parsed: ModelVersionSource.ModelsURI?) async throws {
        if Self.isLocal(source) {
            // MLflow resolves the path first; Cairn compares text, so `..` never counts as inside.
            if let runID, !Self.climbs(source) {
                let run: RunInfo
                do {
                    run = try await tracking.runInfo(id: runID)
                } catch let error as CairnError where error.code == .resourceDoesNotExist {
                    throw ModelVersionSource.notIdentified(source, by: "run_id")
                }
                if Self.isInside(source, run.artifactURI) { return }
            }
            throw CairnError.invalidParameter(
                "Invalid model version source: '\(source)'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id."
            )
        }
        if ModelVersionSource.hasRelativeReferences(source) {
            throw CairnError.invalidParameter(ModelVersionSource.relativeReferencesMessage(source))
        }
        if source.hasPrefix("runs:") {
            let rest = source.dropFirst("runs:".count)
            let sourceRun = rest.hasPrefix("//") ? nil : rest.split(separator: "/").first.map(String.init)
            if let runID, sourceRun == runID { return }
            throw ModelVersionSource.notIdentified(source, by: "run_id")
        }
        if parsed?.loggedModelID != nil { throw ModelVersionSource.notIdentified(source, by: "model_id") }
        if source.hasPrefix("mlflow-artifacts:") {
            if let runID {
                do {
                    if Self.isInside(source, try await tracking.runInfo(id: runID).artifactURI) { return }
                } catch let error as CairnError where error.code == .resourceDoesNotExist {}
            }
            throw ModelVersionSource.notIdentified(source, by: "run_id")
        }
    }

    /// MLflow's `_validate_source_model`: the source must be reachable through the logged model.
    private func validate(_ source: String, within modelID: String, parsed: ModelVersionSource.ModelsURI?) async throws {
        func model() async throws -> LoggedModel {
            do {
                return try await tracking.loggedModel(id: modelID)
            } catch let error as CairnError where error.code == .resourceDoesNotExist {
                throw ModelVersionSource.notIdentified(source, by: "model_id")
            }
        }
        if Self.isLocal(source) {
            if !Self.climbs(source), Self.isInside(source, try await model().artifactLocation) { return }
            throw CairnError.invalidParameter(
                "Invalid model version source: '\(source)'. To use a local path as a model version source, the model_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the model_id."
            )
        }
        if ModelVersionSource.hasRelativeReferences(source) {
            throw CairnError.invalidParameter(ModelVersionSource.relativeReferencesMessage(source))
        }
        if let id = parsed?.loggedModelID {
            if id == modelID { return }
            throw ModelVersionSource.notIdentified(source, by: "model_id")
        }
        if source.hasPrefix("runs:") { throw ModelVersionSource.notIdentified(source, by: "model_id") }
        if source.hasPrefix("mlflow-artifacts:") {
            if Self.isInside(source, try await model().artifactLocation) { return }
            throw ModelVersionSource.notIdentified(source, by: "model_id")
        }
    }

    /// Where a `runs:/<id>/<path>` source's files are: the run's artifacts + path when the run is
    /// here; the `runs:/` URI itself for a run of another tracking server.
    private func runsLocation(_ source: String) async throws -> String {
        let parts = source.dropFirst("runs:/".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard let runID = parts.first.map(String.init) else { return source }
        do {
            let run = try await tracking.runInfo(id: runID)
            let path = parts.count > 1 ? String(parts[1]) : ""
            return path.isEmpty ? run.artifactURI : run.artifactURI + "/" + path
        } catch let error as CairnError where error.code == .resourceDoesNotExist {
            return source
        }
    }

    /// A path without a URI scheme, or a `file:` URI (MLflow's `is_local_uri` on POSIX).
    static func isLocal(_ source: String) -> Bool {
        let scheme = ArtifactLocation.scheme(of: source)
        return scheme == nil || scheme == "file"
    }

    /// Whether a path has a `..` segment or a NUL.
    static func climbs(_ path: String) -> Bool {
        path.contains("\u{0}") || path.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }

    /// Whether `path` is `root` or lies under it (segment-wise, so `a/bc` is not inside `a/b`).
    static func isInside(_ path: String, _ root: String) -> Bool {
        let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == trimmedRoot || path.hasPrefix(trimmedRoot + "/")
    }
}

extension ModelVersionSource.ModelsURI {
    /// The logged model a `models:/<id>` source names, nil for a registered-model source.
    var loggedModelID: String? {
        if case .loggedModel(let id) = self { return id }
        return nil
    }
}
