import CairnArtifacts
import CairnCore

/// MLflow's entity messages, written with the wire rules (snake_case, empty lists omitted).
extension JSONWriter {
    mutating func tags(_ name: String, _ tags: [Tag]) {
        array(name, tags) { w, tag in
            w.beginObject()
            w.field("key", tag.key)
            w.field("value", tag.value)
            w.endObject()
        }
    }

    mutating func experiment(_ experiment: Experiment) {
        beginObject()
        field("experiment_id", experiment.id)
        field("name", experiment.name)
        field("artifact_location", experiment.artifactLocation)
        field("lifecycle_stage", experiment.lifecycleStage.rawValue)
        field("last_update_time", experiment.lastUpdateTime)
        field("creation_time", experiment.creationTime)
        tags("tags", experiment.tags)
        endObject()
    }

    mutating func runInfo(_ info: RunInfo) {
        beginObject()
        field("run_id", info.runID)
        field("run_uuid", info.runID)
        field("run_name", info.runName)
        field("experiment_id", info.experimentID)
        field("user_id", info.userID)
        field("status", info.status.rawValue)
        field("start_time", info.startTime)
        field("end_time", info.endTime)
        field("artifact_uri", info.artifactURI)
        field("lifecycle_stage", info.lifecycleStage.rawValue)
        endObject()
    }

    /// `"metrics": [...]` for points of one key (a metric history), the constant parts of each
    /// point encoded once: a 50,000-point history spends its time on numbers, not on field names.
    /// Points that carry a run or model id are written by ``metric(_:)``.
    mutating func metricHistory(_ name: String, _ points: [Metric], key: String) {
        guard !points.isEmpty else { return }
        var escapedKey = JSONWriter(capacity: key.utf8.count + 8)
        escapedKey.writeString(key)
        let head = Array(#"{"key":"#.utf8) + escapedKey.bytes + Array(#","value":"#.utf8)
        let timestamp = Array(#","timestamp":"#.utf8)
        let step = Array(#","step":"#.utf8)
        let close = [UInt8(ascii: "}")]
        keyPrefix(name)
        beginArray()
        for point in points {
            guard point.runID == nil, point.modelID == nil, point.key == key else {
                metric(point)
                continue
            }
            rawElement(bytes: head)
            writeDouble(point.value)
            appendRaw(timestamp)
            writeInt(point.timestamp)
            appendRaw(step)
            writeInt(point.step)
            appendRaw(close)
        }
        endArray()
    }

    mutating func metric(_ metric: Metric) {
        beginObject()
        field("key", metric.key)
        field("value", metric.value)
        field("timestamp", metric.timestamp)
        field("step", metric.step)
        // Only a logged model's metrics carry a dataset (run metrics never do, as in MLflow).
        field("dataset_name", metric.datasetName)
        field("dataset_digest", metric.datasetDigest)
        field("run_id", metric.runID)
        field("model_id", metric.modelID)
        endObject()
    }

    mutating func run(_ run: Run) {
        beginObject()
        key("info")
        runInfo(run.info)
        runDetails(run)
        endObject()
    }

    /// A run whose `"data"`, `"inputs"` and `"outputs"` fields are already written
    /// (``runDetailsJSON(_:)``): a search page of unchanged runs copies them.
    mutating func run(_ info: RunInfo, detailsJSON: [UInt8]) {
        beginObject()
        key("info")
        runInfo(info)
        appendRaw(Self.comma)
        appendRaw(detailsJSON)
        endObject()
    }

    private static let comma = [UInt8(ascii: ",")]

    /// The `"data"`, `"inputs"` and `"outputs"` fields of a run, as ``run(_:)`` writes them, without
    /// a leading comma: everything of a run's JSON that its details decide.
    static func runDetailsJSON(_ run: Run) -> [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        writer.beginObject()
        writer.runDetails(run)
        writer.endObject()
        return Array(writer.bytes.dropFirst().dropLast())
    }

    private mutating func runDetails(_ run: Run) {
        object("data") { w in
            w.array("metrics", run.metrics) { w, m in w.metric(m) }
            w.array("params", run.params) { w, p in
                w.beginObject()
                w.field("key", p.key)
                w.field("value", p.value)
                w.endObject()
            }
            w.tags("tags", run.tags)
        }
        object("inputs") { w in
            w.array("dataset_inputs", run.datasetInputs) { w, input in
                w.beginObject()
                w.tags("tags", input.tags)
                w.object("dataset") { w in
                    w.field("name", input.name)
                    w.field("digest", input.digest)
                    w.field("source_type", input.sourceType)
                    w.field("source", input.source)
                    if !input.schema.isEmpty { w.field("schema", input.schema) }
                    if !input.profile.isEmpty { w.field("profile", input.profile) }
                }
                w.endObject()
            }
            w.array("model_inputs", run.modelInputs) { w, id in
                w.beginObject()
                w.field("model_id", id)
                w.endObject()
            }
        }
        object("outputs") { w in
            w.array("model_outputs", run.modelOutputs) { w, output in
                w.beginObject()
                w.field("model_id", output.modelID)
                w.field("step", output.step)
                w.endObject()
            }
        }
    }

    mutating func loggedModel(_ model: LoggedModel) {
        beginObject()
        object("info") { w in
            w.field("model_id", model.modelID)
            w.field("experiment_id", model.experimentID)
            w.field("name", model.name)
            w.field("creation_timestamp_ms", model.creationTimestamp)
            w.field("last_updated_timestamp_ms", model.lastUpdatedTimestamp)
            w.field("artifact_uri", model.artifactLocation)
            w.field("status", model.status)
            // Always written, "" when empty, as MLflow writes them.
            w.field("model_type", model.modelType)
            w.field("source_run_id", model.sourceRunID)
            if !model.statusMessage.isEmpty { w.field("status_message", model.statusMessage) }
            w.tags("tags", model.tags)
        }
        object("data") { w in
            w.array("params", model.params) { w, p in
                w.beginObject()
                w.field("key", p.key)
                w.field("value", p.value)
                w.endObject()
            }
            w.array("metrics", model.metrics) { w, m in w.metric(m) }
        }
        endObject()
    }

    mutating func fileInfo(_ info: ArtifactFileInfo) {
        beginObject()
        field("path", info.path)
        field("is_dir", info.isDirectory)
        // MLflow leaves out the size of an empty file (a proto3-style zero), as well as a directory's.
        if info.size != 0 { field("file_size", info.size) }
        endObject()
    }

    /// `"name": ` before a nested value written by the caller.
    mutating func key(_ name: String) {
        keyPrefix(name)
    }
}
