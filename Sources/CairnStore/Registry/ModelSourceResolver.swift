import CairnCore

/// Validates a model version's `source` and resolves where its files are, as MLflow does:
/// - `models:/m-<id>`: a logged model; `model_id` must match; files at the model's artifacts.
/// - `models:/<name>/<version>`: another registered version; files where that version's are.
/// - `runs:/<run_id>/<path>`: `run_id`, when given, must name the same run; files at the run's
///   artifacts + path. A run this server does not know is accepted when `run_id` names it (the
///   run lives on another tracking server: MLflow's registry may live apart from its tracking
///   store) and the version keeps the `runs:/` URI; without `run_id` it is refused, as MLflow
///   refuses it (Cairn accepts a missing `run_id` only for a run it has).
/// - `mlflow-artifacts:/…` and local paths: must lie inside the artifacts of the given run (or
///   logged model), which must exist here; anything else would let a version point at files its
///   run does not own.
/// - other URIs (`s3://`, `gs://`, `pvc://`, …): used as they are; the run is not looked up.
/// - prompt versions (tag `mlflow.prompt.is_prompt=true`): only MLflow's placeholder sources
///   (`dummy-source`, `prompt-template`), nothing looked up.
struct ModelSourceResolver {
    struct Resolution {
        var storageLocation: String
        var runID: String
        var modelID: String
    }

    let tracking: SQLTrackingStore
    let registry: SQLRegistryStore

    func resolve(_ request: CreateModelVersionRequest) async throws -> Resolution {
        let source = request.source.trimmingWhitespace()
        guard !source.isEmpty else { throw CairnError.invalidParameter("Missing value for required parameter 'source'.") }
        if source.split(separator: "/").contains("..") || source.contains("\u{0}") {
            throw CairnError.invalidParameter("Invalid model version source: '\(source)'. Sources must not contain '..'")
        }
        let runID = request.runID.flatMap { $0.isEmpty ? nil : $0 }
        let modelID = request.modelID.flatMap { $0.isEmpty ? nil : $0 }
        if RegistryRules.isPrompt(request.tags) {
            try RegistryRules.validatePromptSource(source)
            return Resolution(storageLocation: source, runID: runID ?? "", modelID: modelID ?? "")
        }
        func notIdentified(_ parameter: String) -> CairnError {
            .invalidParameter(
                "Invalid model version source: '\(source)'. The \(parameter) request parameter must identify the resource that contains the source.")
        }

        if source.hasPrefix("models:/") {
            let rest = source.dropFirst("models:/".count).split(separator: "/", omittingEmptySubsequences: true)
            guard let first = rest.first else { throw CairnError.invalidParameter("Invalid model version source: '\(source)'") }
            if first.hasPrefix("m-") {
                if let modelID, modelID != first {
                    throw CairnError.invalidParameter("The model_id '\(modelID)' does not match the source '\(source)'.")
                }
                let model = try await tracking.loggedModel(id: String(first))
                let suffix = rest.dropFirst().joined(separator: "/")
                return Resolution(
                    storageLocation: suffix.isEmpty ? model.artifactLocation : model.artifactLocation + "/" + suffix,
                    runID: runID ?? model.sourceRunID, modelID: model.modelID)
            }
            guard rest.count == 2, let number = Int64(rest[1]) else {
                throw CairnError.invalidParameter(
                    "Invalid model version source: '\(source)'. Expected models:/<model_id> or models:/<name>/<version>")
            }
            let other = try await registry.modelVersion(name: String(rest[0]), version: number)
            return Resolution(
                storageLocation: other.storageLocation.isEmpty ? other.source : other.storageLocation, runID: runID ?? other.runID,
                modelID: modelID ?? other.modelID)
        }

        if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard let sourceRun = parts.first.map(String.init) else { throw CairnError.invalidParameter("Invalid model version source: '\(source)'") }
            if let runID, runID != sourceRun { throw notIdentified("run_id") }
            let run: RunInfo
            do {
                run = try await tracking.runInfo(id: sourceRun)
            } catch let error as CairnError where error.code == .resourceDoesNotExist {
                guard runID != nil else { throw notIdentified("run_id") }
                // A run of another tracking server: the version keeps the runs:/ URI.
                return Resolution(storageLocation: source, runID: sourceRun, modelID: modelID ?? "")
            }
            let path = parts.count > 1 ? String(parts[1]) : ""
            return Resolution(
                storageLocation: path.isEmpty ? run.artifactURI : run.artifactURI + "/" + path, runID: sourceRun, modelID: modelID ?? "")
        }

        let hasScheme = source.contains("://")
        let isProxied = source.hasPrefix("mlflow-artifacts:")
        let isLocal = !hasScheme && !isProxied || source.hasPrefix("file:")
        if isProxied || isLocal {
            if runID == nil, modelID == nil {
                throw CairnError.invalidParameter(
                    "Invalid model version source: '\(source)'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id."
                )
            }
            var owners: [String] = []
            do {
                if let runID { owners.append(try await tracking.runInfo(id: runID).artifactURI) }
            } catch let error as CairnError where error.code == .resourceDoesNotExist {
                throw notIdentified("run_id")
            }
            do {
                if let modelID { owners.append(try await tracking.loggedModel(id: modelID).artifactLocation) }
            } catch let error as CairnError where error.code == .resourceDoesNotExist {
                throw notIdentified("model_id")
            }
            guard owners.contains(where: { Self.isInside(source, $0) }) else {
                throw notIdentified(runID != nil ? "run_id" : "model_id")
            }
        }
        return Resolution(storageLocation: source, runID: runID ?? "", modelID: modelID ?? "")
    }

    /// Whether `path` is `root` or lies under it (segment-wise, so `a/bc` is not inside `a/b`).
    static func isInside(_ path: String, _ root: String) -> Bool {
        let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == trimmedRoot || path.hasPrefix(trimmedRoot + "/")
    }
}
