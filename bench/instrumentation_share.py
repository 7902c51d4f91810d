"""The share of a server's CPU samples spent in its metrics instrumentation.

Reads `perf script -F comm,ip,sym` output (frame-pointer call chains of `perf record -g`) on
stdin and counts a sample as instrumentation when any frame of its chain is in swift-metrics
(`CoreMetrics`), swift-prometheus (`Prometheus`) or Cairn's own instrument types
(`ServerMetrics`, `DatabaseMetrics`): inclusive time, each sample counted once. Prints one JSON
object: samples, instrumentation samples, their share in percent, and the top instrumented frames.

    perf script -i perf.data -F comm,ip,sym | python3 bench/instrumentation_share.py
"""

import collections
import json
import sys

# Swift mangled-name fragments: a module is `$s<len><Name>`, a type `<len><Name>V`.
MARKERS = ("$s11CoreMetrics", "$s10Prometheus", "13ServerMetricsV", "15DatabaseMetricsV")


def samples(lines):
    chain = []
    for line in lines:
        if not line.strip():
            if chain:
                yield chain
            chain = []
        elif line.startswith((" ", "\t")):
            parts = line.split(None, 1)
            chain.append(parts[1] if len(parts) > 1 else "")
    if chain:
        yield chain


def main():
    total = hit = 0
    frames = collections.Counter()
    for chain in samples(sys.stdin):
        total += 1
        marked = [f for f in chain if any(m in f for m in MARKERS)]
        if marked:
            hit += 1
            frames[marked[-1].split(" (")[0][:90]] += 1  # the outermost instrumented frame
    print(json.dumps({"samples": total, "instrumentation_samples": hit,
                      "share_percent": round(100 * hit / max(total, 1), 2),
                      "top": frames.most_common(5)}))


if __name__ == "__main__":
    main()
