"""Seeds a Cairn and times its dashboard pages (issue 15's benchmark; bench/dashboard.sh runs it).

Seeding through the REST API: one experiment with RUNS runs (10 params and 10 latest metrics each),
one of 100 runs with 120 metric keys of their own each (12,000 distinct keys), and COMPARE runs
with 10 metrics x POINTS points each (the first of them is the run page's run).
Timing: each page requested REQUESTS times over one keep-alive connection after 5 warm-ups; on
loopback the wall time of a request is the server's time plus well under a millisecond. Prints
p50 and p95 per page and the page's size: as sent (gzip, which the client asks for as browsers do)
and as HTML.

usage: dashboard_bench.py URL [--runs N] [--points N] [--compare N] [--requests N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import re
import statistics
import time

import requests
from dashboard_data import loss, metric_value, param_value

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--runs", type=int, default=10_000)
parser.add_argument("--points", type=int, default=100_000)
parser.add_argument("--compare", type=int, default=20)
parser.add_argument("--requests", type=int, default=100)
parser.add_argument("--after-seeding", help="a shell command run between seeding and timing (e.g. psql -c ANALYZE)")
args = parser.parse_args()
api = f"{args.url}/api/2.0/mlflow"
local = __import__("threading").local()


def session() -> requests.Session:
    if not hasattr(local, "session"):
        local.session = requests.Session()
    return local.session


def post(path: str, body: dict) -> dict:
    response = session().post(f"{api}/{path}", json=body, timeout=120)
    response.raise_for_status()
    return response.json()


started = time.monotonic()
experiment = post("experiments/create", {"name": "dashboard-bench"})["experiment_id"]


def make_run(index: int) -> str:
    run = post("runs/create", {"experiment_id": experiment, "run_name": f"run-{index}", "start_time": 1_700_000_000_000 + index})
    run_id = run["run"]["info"]["run_id"]
    post("runs/log-batch", {
        "run_id": run_id,
        "params": [{"key": f"p{k}", "value": param_value(index, k)} for k in range(10)],
        "metrics": [{"key": f"m{k}", "value": metric_value(index, k), "timestamp": 1, "step": 0} for k in range(10)],
    })
    return run_id


with concurrent.futures.ThreadPoolExecutor(4) as pool:
    run_ids = list(pool.map(make_run, range(args.runs)))
seeded_runs = time.monotonic()

series_experiment = post("experiments/create", {"name": "dashboard-bench-series"})["experiment_id"]
series_runs = [post("runs/create", {"experiment_id": series_experiment, "run_name": f"long-{i}"})["run"]["info"]["run_id"]
               for i in range(args.compare)]


def log_series(job: tuple[int, int, int]) -> None:
    run, key, start = job
    post("runs/log-batch", {"run_id": series_runs[run], "metrics": [
        {"key": f"loss{key}", "value": loss(run, key, step), "timestamp": step, "step": step}
        for step in range(start, min(start + 1000, args.points))]})


# A wide experiment: 100 runs with 120 metric keys of their own each (12,000 distinct keys).
wide_experiment = post("experiments/create", {"name": "dashboard-bench-wide"})["experiment_id"]


def make_wide_run(index: int) -> None:
    run_id = post("runs/create", {"experiment_id": wide_experiment, "run_name": f"wide-{index}"})["run"]["info"]["run_id"]
    post("runs/log-batch", {"run_id": run_id, "metrics": [
        {"key": f"k{index * 120 + k}", "value": k / 120, "timestamp": 1, "step": 0} for k in range(120)] + [
        {"key": "shared", "value": index / 100, "timestamp": 1, "step": 0}]})


with concurrent.futures.ThreadPoolExecutor(4) as pool:
    list(pool.map(make_wide_run, range(100)))

jobs = [(run, key, start) for run in range(len(series_runs)) for key in range(10) for start in range(0, args.points, 1000)]
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    list(pool.map(log_series, jobs))
seeded = time.monotonic()
print(f"seeded {args.runs} runs in {seeded_runs - started:.0f} s, {args.compare} x 10 x {args.points} points in {seeded - seeded_runs:.0f} s")

if args.after_seeding:
    __import__("subprocess").run(args.after_seeding, shell=True, check=True)

pages = [
    ("/ (experiments)", "/"),
    (f"/experiments/{{id}} ({args.runs} runs, first page)", f"/experiments/{experiment}"),
    ("/experiments/{id} sorted by a metric, 3 columns", f"/experiments/{experiment}?metrics=m1,m2&params=p3&order=metrics.%60m1%60%20DESC"),
    ("/experiments/{id} filtered", f"/experiments/{experiment}?filter=metrics.m1%20%3E%200.5%20and%20params.p3%20%3D%20%2742%27&metrics=m1"),
    (f"/runs/{{id}} (10 metrics x {args.points} points)", f"/runs/{series_runs[0]}"),
    (f"/compare ({args.compare} runs x 10 metrics x {args.points} points)", "/compare?runs=" + ",".join(series_runs)),
    ("/experiments/{id} of 12,000 metric keys, 2 columns", f"/experiments/{wide_experiment}?metrics=shared,k0&order=metrics.%60shared%60%20DESC"),
    ("/models", "/models"),
    ("/deployments", "/deployments"),
]
client = requests.Session()
# The runs table's 50th page, reached through the pages' own keyset tokens (the next link).
path = f"/experiments/{experiment}"
for _ in range(49 if args.runs >= 5000 else max(1, args.runs // 100 - 1)):
    found = re.search(r'href="([^"]+)" rel="next"', client.get(args.url + path, timeout=120).text)
    if not found:
        break
    path = html.unescape(found.group(1))
pages.insert(2, ("/experiments/{id}, page 50 by its keyset token", path))
pages.insert(6, (f"/runs/{{id}} relative time, smoothed", f"/runs/{series_runs[1]}?x=relative&smooth=0.6"))
print("| page | first view ms | p50 ms | p95 ms | KB sent (gzip) | KB of HTML |")
print("|---|---|---|---|---|---|")
for label, path in pages:
    start = time.perf_counter()
    client.get(args.url + path, timeout=600).raise_for_status()
    first = (time.perf_counter() - start) * 1000
    for _ in range(4):
        client.get(args.url + path, timeout=120).raise_for_status()
    times = []
    sent = size = 0
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get(args.url + path, timeout=120)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        size = len(response.content)
        sent = int(response.headers.get("Content-Length", size))
    times.sort()
    print(f"| {label} | {first:.1f} | {statistics.median(times):.1f} | {times[int(len(times) * 0.95) - 1]:.1f} "
          f"| {sent / 1024:.1f} | {size / 1024:.1f} |")
