#!/usr/bin/env python3
"""A scrape of Cairn's /metrics, taken after a client suite ran, holds the families Cairn
promises with sane values, parsed by Prometheus' own Python text parser.

    Tests/operations/check_metrics_scrape.py --url http://127.0.0.1:PORT [--token TOKEN] [--postgres]

Checks:
* the exposition parses (prometheus_client.parser.text_string_to_metric_families);
* http_server_request_duration_seconds: a histogram with the labels http_request_method,
  http_route (route templates: `/api/2.0/mlflow/...`, never a concrete run id) and
  http_response_status_code; thousands of 2xx requests counted; buckets cumulative and the
  +Inf bucket equal to the count;
* cairn_metrics_ingested_total > 0 (the suite logged metrics); cairn_artifact_bytes_total by
  direction in/out, both > 0 (the suite uploads and downloads artifacts);
* cairn_promotions_total for succeeded/failed/rolled_back and cairn_webhook_requests_total for
  accepted/bad_signature/rejected exist (zero is fine: no promotion ran);
* cairn_build_info{version} == 1;
* with --postgres: cairn_database_up == 1, cairn_db_pool_connections_max > 0,
  cairn_db_pool_connections_in_use between 0 and the max, cairn_db_query_duration_seconds counted;
* no label value looks like a run id (32 hex digits), and the series count stays small.
Prints a summary; exit status 1 with the reasons when a check fails.
"""
import argparse
import re
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    request = urllib.request.Request(args.url.rstrip("/") + "/metrics")
    if args.token:
        request.add_header("Authorization", f"Bearer {args.token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")

    problems = []
    if not content_type.startswith("text/plain; version=0.0.4"):
        problems.append(f"Content-Type is {content_type!r}, not the Prometheus text format 0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    series = sum(len(family.samples) for family in families.values())

    def samples(name, suffix=""):
        family = families.get(name)
        if family is None:
            problems.append(f"family {name} is missing")
            return []
        return [s for s in family.samples if s.name == name + suffix]

    requests = families.get("http_server_request_duration_seconds")
    ok_requests = 0
    if requests is None or requests.type != "histogram":
        problems.append("http_server_request_duration_seconds is missing or not a histogram")
    else:
        counts = [s for s in requests.samples if s.name.endswith("_count")]
        for sample in counts:
            labels = set(sample.labels)
            if labels != {"http_request_method", "http_route", "http_response_status_code"}:
                problems.append(f"request histogram labels are {sorted(labels)}")
                break
        ok_requests = sum(s.value for s in counts if s.labels["http_response_status_code"].startswith("2"))
        if ok_requests < 100:
            problems.append(f"only {ok_requests:.0f} 2xx requests counted")
        routes = {s.labels["http_route"] for s in counts}
        if not any(route.startswith("/api/2.0/mlflow/runs/") for route in routes):
            problems.append(f"no runs route among {sorted(routes)[:10]}")
        # Buckets cumulative, +Inf equal to the count, per series.
        by_series = {}
        for sample in requests.samples:
            key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
            by_series.setdefault(key, {})[sample.name, sample.labels.get("le")] = sample.value
        for key, values in by_series.items():
            buckets = sorted(((float(le), v) for (name, le), v in values.items() if name.endswith("_bucket")), key=lambda b: b[0])
            if any(later < earlier for (_, earlier), (_, later) in zip(buckets, buckets[1:])):
                problems.append(f"buckets not cumulative for {dict(key)}")
            count = next(v for (name, _), v in values.items() if name.endswith("_count"))
            if buckets and buckets[-1][1] != count:
                problems.append(f"+Inf bucket {buckets[-1][1]} != count {count} for {dict(key)}")

    ingested = sum(s.value for s in samples("cairn_metrics_ingested", "_total"))
    if ingested <= 0:
        problems.append("cairn_metrics_ingested_total is 0 after a suite that logs metrics")
    bytes_by_direction = {s.labels.get("direction"): s.value for s in samples("cairn_artifact_bytes", "_total")}
    for direction in ("in", "out"):
        if bytes_by_direction.get(direction, 0) <= 0:
            problems.append(f"cairn_artifact_bytes_total{{direction={direction!r}}} is {bytes_by_direction.get(direction)}")
    outcomes = {s.labels.get("outcome") for s in samples("cairn_promotions", "_total")}
    if outcomes != {"succeeded", "failed", "rolled_back"}:
        problems.append(f"cairn_promotions_total outcomes are {sorted(o for o in outcomes if o)}")
    results = {s.labels.get("result") for s in samples("cairn_webhook_requests", "_total")}
    if results != {"accepted", "bad_signature", "rejected"}:
        problems.append(f"cairn_webhook_requests_total results are {sorted(r for r in results if r)}")
    build = samples("cairn_build_info")
    if len(build) != 1 or build[0].value != 1 or not build[0].labels.get("version"):
        problems.append(f"cairn_build_info is {build}")

    if args.postgres:
        up = samples("cairn_database_up")
        if [s.value for s in up] != [1]:
            problems.append(f"cairn_database_up is {[s.value for s in up]}")
        maximum = max((s.value for s in samples("cairn_db_pool_connections_max")), default=0)
        in_use = [s.value for s in samples("cairn_db_pool_connections_in_use")]
        if maximum <= 0 or not in_use or not all(0 <= v <= maximum for v in in_use):
            problems.append(f"pool gauges: in_use {in_use}, max {maximum}")
        queries = sum(s.value for s in samples("cairn_db_query_duration_seconds", "_count"))
        if queries < 100:
            problems.append(f"cairn_db_query_duration_seconds counted {queries:.0f} statements")

    for family in families.values():
        for sample in family.samples:
            for name, value in sample.labels.items():
                if RUN_ID.match(value):
                    problems.append(f"{sample.name} has label {name}={value}, which looks like a run id")
    if series > 5000:
        problems.append(f"{series} series: label cardinality is not bounded")

    print(
        f"metrics scrape: {len(families)} families, {series} series, {ok_requests:.0f} 2xx requests, "
        f"{ingested:.0f} points ingested, artifact bytes in {bytes_by_direction.get('in', 0):.0f} / out {bytes_by_direction.get('out', 0):.0f}"
    )
    for problem in problems:
        print(f"FAIL metrics scrape: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
