import CairnCore

/// The distinct keys of a batch of metric points, told apart by their bytes (``ExactKey``), and
/// each point's key as an index into them.
///
/// A `log-batch` of 1,000 points names a few keys many times. Validation, the series ids, the
/// latest value per key and the charts to drop each looked every point's key up in a hash table
/// of their own: 17% of Cairn's CPU per 1,000-point batch (`perf`). Here each point costs one
/// byte comparison when the batch repeats its keys in one order (a step's keys, then the next
/// step's, as clients send them), and one hash lookup otherwise.
struct MetricBatchKeys {
    /// The distinct keys, in the order they first appear.
    let keys: [ExactKey]
    /// `keys[keyIndex[i]]` is the key of point `i`.
    let keyIndex: [Int]
    /// `firstPoint[k]` is the first point whose key is `keys[k]`.
    let firstPoint: [Int]

    init(_ metrics: [Metric]) {
        var keys: [ExactKey] = []
        var firstPoint: [Int] = []
        var indexOfKey: [ExactKey: Int] = [:]
        var keyIndex: [Int] = []
        keyIndex.reserveCapacity(metrics.count)
        var expected = 0  // the key after the previous point's, where a repeating order goes on
        for (point, metric) in metrics.enumerated() {
            let index: Int
            if expected < keys.count, ExactKey.sameBytes(keys[expected].text, metric.key) {
                index = expected
            } else if let known = indexOfKey[ExactKey(metric.key)] {
                index = known
            } else {
                index = keys.count
                keys.append(ExactKey(metric.key))
                firstPoint.append(point)
                indexOfKey[ExactKey(metric.key)] = index
            }
            keyIndex.append(index)
            expected = index + 1 == keys.count ? 0 : index + 1
        }
        self.keys = keys
        self.keyIndex = keyIndex
        self.firstPoint = firstPoint
    }

    /// The latest point of each key by MLflow's rule (``Metric/isLater(than:)``; of equal
    /// points the first), keys in byte order, as the database orders them. Sorted, not in the
    /// batch's order: concurrent batches of one run then lock `latest_metrics` rows in one order
    /// and cannot deadlock (a deadlock would fail a client's write). So a run's metrics list keys
    /// that first arrive together in key order, where MLflow keeps the batch's order; across
    /// batches the first-stored order holds as in MLflow.
    func latestPoints(_ metrics: [Metric]) -> [Metric] {
        var latest = firstPoint
        for (point, metric) in metrics.enumerated() {
            let key = keyIndex[point]
            if metric.isLater(than: metrics[latest[key]]) { latest[key] = point }
        }
        return keys.indices.sorted { keys[$0] < keys[$1] }.map { metrics[latest[$0]] }
    }

    /// Each point's value of `perKey` (one value per distinct key, in ``keys``' order).
    func perPoint<Value>(_ perKey: [Value]) -> [Value] {
        keyIndex.map { perKey[$0] }
    }
}
