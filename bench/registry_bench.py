#!/usr/bin/env python3
"""Registry search benchmark (issue 4): registered-models/search and model-versions/search over
1,000 registered models with 10 versions each, p50/p95 of the time to receive the whole
response, against any MLflow-compatible server. Run it against MLflow and Cairn in the same run
(bench/registry.sh does that) and compare.

Setup: N models `bench-model-NNNN` (tag `family` = one of 10 values), each with V versions whose
source is `s3://bench/NNNN/V` (no runs needed). Timed queries (the client's own shapes):
  models_all       GET registered-models/search  filter "name LIKE 'bench-model-%'"  max_results=100
  models_filtered  GET registered-models/search  filter "tags.family = 'f3'"  max_results=100
  versions_model   GET model-versions/search     filter "name = 'bench-model-0421'"
  versions_like    GET model-versions/search     filter "name LIKE 'bench-model-04%'"  max_results=1000
Each answer is checked (counts) before timing. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import statistics
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


class Connection:
    """A keep-alive HTTP connection that returns (status, body bytes) without parsing timing-critical JSON."""

    def __init__(self, base: str, token: str | None) -> None:
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def setup(base: str, token: str | None, models: int, versions: int, threads: int) -> float:
    started = time.monotonic()

    def create(index: int) -> None:
        conn = Connection(base, token)
        name = f"bench-model-{index:04d}"
        status, body = conn.request(
            "POST", "/api/2.0/mlflow/registered-models/create", {"name": name, "tags": [{"key": "family", "value": f"f{index % 10}"}]}
        )
        if status != 200 and b"RESOURCE_ALREADY_EXISTS" not in body:
            raise RuntimeError(f"create {name}: {status} {body[:200]!r}")
        for version in range(1, versions + 1):
            status, body = conn.request("POST", "/api/2.0/mlflow/model-versions/create", {"name": name, "source": f"s3://bench/{index:04d}/{version}"})
            if status != 200:
                raise RuntimeError(f"version {name}/{version}: {status} {body[:200]!r}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(create, range(models)))
    return time.monotonic() - started


def query(kind: str, filter_: str, max_results: int | None) -> str:
    params = {"filter": filter_}
    if max_results:
        params["max_results"] = str(max_results)
    return f"/api/2.0/mlflow/{kind}/search?" + urllib.parse.urlencode(params)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--token")
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--setup-only", action="store_true", help="create the models and versions, print the seconds it took, time nothing")
    args = parser.parse_args()

    setup_s = 0.0 if args.skip_setup else setup(args.base_url, args.token, args.models, args.versions, args.threads)
    if args.setup_only:
        print(round(setup_s, 1))
        return 0
    queries = {
        "models_all": (query("registered-models", "name LIKE 'bench-model-%'", 100), "registered_models", 100),
        "models_filtered": (query("registered-models", "tags.family = 'f3'", 100), "registered_models", min(100, args.models // 10)),
        "versions_model": (query("model-versions", "name = 'bench-model-0421'", None), "model_versions", args.versions),
        # Models 0400-0499 that exist, all their versions (at most 1,000 returned).
        "versions_like": (
            query("model-versions", "name LIKE 'bench-model-04%'", 1000),
            "model_versions",
            min(1000, max(0, min(args.models, 500) - 400) * args.versions),
        ),
    }
    conn = Connection(args.base_url, args.token)
    results: dict[str, dict] = {"setup_s": round(setup_s, 1)}
    for label, (path, field, expected) in queries.items():
        status, body = conn.request("GET", path)
        count = len(json.loads(body).get(field, [])) if status == 200 else -1
        if count != expected:
            print(f"verification failed for {label}: status {status}, {count} results, expected {expected}: {body[:300]!r}", file=sys.stderr)
            return 1
        samples = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            status, body = conn.request("GET", path)
            samples.append((time.perf_counter() - started) * 1000)
            assert status == 200
        samples.sort()
        results[label] = {
            "p50_ms": round(statistics.median(samples), 2),
            # Nearest rank: the ceil(0.95 n)-th smallest sample (the 29th of 30).
            "p95_ms": round(samples[math.ceil(len(samples) * 0.95) - 1], 2),
            "results": count,
            "bytes": len(body),
        }
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
