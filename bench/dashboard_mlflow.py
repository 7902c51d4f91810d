"""The same views as bench/dashboard_bench.py, in MLflow's UI: times the REST calls MLflow's React UI
makes for each view against a running `mlflow server` on PostgreSQL (issue 15's comparison).

Seeding: the same data as dashboard_bench.py, written straight into MLflow's own schema with SQL
(psycopg2; INSERT ... SELECT FROM generate_series), because 20 million points through MLflow's REST
API would take hours. The two experiments ("dashboard-bench", "dashboard-bench-series") are made
through experiments/create so that MLflow sets its own defaults (artifact location, workspace); then:
  runs            one row per run as SqlAlchemyStore.create_run writes it for dashboard_bench.py's
                  runs/create: run_uuid (an md5 hex, 32 chars), name, source_type UNKNOWN,
                  source_name/entry_point_name/source_version '', user_id '', status RUNNING,
                  start_time 1_700_000_000_000 + index (the series runs: 0, as runs/create without a
                  start_time stores), end_time/deleted_time NULL, lifecycle_stage active,
                  artifact_uri <experiment artifact location>/<run_uuid>/artifacts
  tags            mlflow.runName = the run's name (create_run adds it)
  params          p0..p9 = dashboard_data.param_value(index, k)
  metrics         m0..m9 = dashboard_data.metric_value(index, k) at step 0, timestamp 1; the series runs'
                  loss0..loss9 = dashboard_data.loss(run, key, step): a decay with noise of
                  its own per run and key and a spike every 33,333 steps, at timestamp = step =
                  0..POINTS-1 (float8 arithmetic, the same doubles as Python's)
  latest_metrics  each (run, key)'s last point, as log-batch maintains it (is_nan false everywhere)
then ANALYZE. One registered model with 3 versions (of the first series run) is made through the
REST API so that the models view lists something. The seed is checked through MLflow's REST API
before timing (run count, a filter's count and members, first page and metric order, one full
series through metrics/get-history, the sampled series of every compared run); any mismatch exits 1.

Views (one requests.Session with keep-alive; the calls of a view run one after another and are
timed together, as a first render needs all of them; 5 warm-ups (1 for a view that takes over a
second), then --requests repetitions or, past --seconds-per-view, as many as were done (at least 5)).
The calls are the ones MLflow 3.17.2's UI bundle (mlflow/server/js/build/static/js in the venv)
sends, checked there and against mlflow/server/js/src in MLflow's repository:
  experiments list   GET ajax-api/2.0/mlflow/experiments/search?max_results=25
                     &order_by=last_update_time DESC&filter=tags.`mlflow.experiment.isGateway` IS NULL
                     (experiment list page: page size 25, sorted by last_update_time desc)
  runs table         POST ajax-api/2.0/mlflow/runs/search {experiment_ids, run_view_type ACTIVE_ONLY,
                     max_results 100, order_by ["attributes.start_time DESC"]} (createSearchRunsParams
                     in experimentPage.fetch-utils.ts; RUNS_SEARCH_MAX_RESULTS = 100)
  page 50            the same with the page_token of page 49 (found by following next_page_token,
                     the UI's "Load more"); only the 50th page's call is timed
  sorted by a metric order_by ["metrics.`m1` DESC"] (makeCanonicalSortKey)
  filtered           filter "metrics.m1 > 0.5 and params.p3 = '42'", default order_by
  run page           POST graphql, the UI's GetRun query (the run details page reads the run through
                     GraphQL in 3.17.2), then per metric chart GET ajax-api/2.0/mlflow/metrics/
                     get-history-bulk-interval?run_ids=RUN&metric_key=KEY&max_results=320
                     (useSampledMetricHistory, called by the line chart card with maxResults 320;
                     the GraphQL variant of that hook is behind a flag that is off)
  compare            the experiment page's chart view of the series experiment, which holds exactly
                     the compared runs: its runs/search, then per metric chart one
                     get-history-bulk-interval with all the runs' ids (chunks of 100, as the hook
                     splits them; the server allows 100 run_ids per call), max_results 320
  models             GET ajax-api/2.0/mlflow/registered-models/search?filter=&max_results=25
                     &order_by=name ASC (model list page defaults)
Only the calls that fetch what the view shows are counted; the side calls the same pages make
(experiment metadata and datasets on the experiment page, the run's model versions and artifacts on
the run page, the JS bundle itself) are not, so MLflow's figures are a lower bound for its pages.
Relative time and smoothing are client-side in MLflow (same calls as the run page); it has no
/deployments page. Bytes are response bodies after content decoding, as in dashboard_bench.py.

usage: dashboard_mlflow.py --mlflow-url URL --database-url postgresql://USER@HOST:PORT/DB
           [--runs 10000] [--points 100000] [--compare 20] [--requests 100]
The server must already run on that database (its migrations create the schema), e.g.
  mlflow server --backend-store-uri postgresql+psycopg2://... --default-artifact-root DIR --workers 4
(SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3, so give MLflow postgresql+psycopg2://; this
script accepts postgres://, postgresql:// and postgresql+psycopg2:// alike). Needs psycopg2-binary.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time

import psycopg2
import requests
from dashboard_data import loss, metric_value, param_value

parser = argparse.ArgumentParser()
parser.add_argument("--mlflow-url", required=True)
parser.add_argument("--database-url", required=True)
parser.add_argument("--runs", type=int, default=10_000)
parser.add_argument("--points", type=int, default=100_000)
parser.add_argument("--compare", type=int, default=20)
parser.add_argument("--requests", type=int, default=100)
parser.add_argument("--seconds-per-view", type=float, default=60,
                    help="stop timing a view after this long once it has 5 samples (MLflow's chart calls take seconds)")
args = parser.parse_args()
base = args.mlflow_url.rstrip("/")
ajax = f"{base}/ajax-api/2.0/mlflow"
client = requests.Session()
RUN_IDS_PER_CALL = 100  # MAX_RUNS_GET_METRIC_HISTORY_BULK in mlflow/server/handlers.py; the UI chunks by 100 too
SAMPLED_POINTS = 320  # the line chart's maxResults
RUNS_PAGE = 100  # RUNS_SEARCH_MAX_RESULTS


def fail(message: str) -> None:
    print(f"dashboard_mlflow.py: seed check failed: {message}", file=sys.stderr)
    sys.exit(1)


def call(method: str, url: str, **kwargs) -> requests.Response:
    response = client.request(method, url, timeout=600, **kwargs)
    if not response.ok:
        raise SystemExit(f"{method} {url} -> {response.status_code}: {response.text[:500]}")
    return response


def post(path: str, body: dict) -> dict:
    return call("POST", f"{ajax}/{path}", json=body).json()


def get(path: str, params) -> dict:
    return call("GET", f"{ajax}/{path}", params=params).json()


# ---- seeding ---------------------------------------------------------------------------------

def make_experiment(name: str) -> tuple[str, str]:
    experiment_id = post("experiments/create", {"name": name})["experiment_id"]
    location = get("experiments/get", {"experiment_id": experiment_id})["experiment"]["artifact_location"]
    return experiment_id, location.rstrip("/")


started = time.monotonic()
experiment, experiment_location = make_experiment("dashboard-bench")
series_experiment, series_location = make_experiment("dashboard-bench-series")

database_url = re.sub(r"^postgres(ql)?(\+psycopg2)?://", "postgresql://", args.database_url)
db = psycopg2.connect(database_url)
db.autocommit = True
sql = db.cursor()

# A run's id: md5 of experiment id and index, 32 hex digits like uuid4().hex. (mod(), not %: psycopg2 parameters.)
RUN_UUID = "md5(%(experiment)s || ':' || i)"
for experiment_id, location, prefix, start, step, count in (
        (experiment, experiment_location, "run-", 1_700_000_000_000, 1, args.runs),
        (series_experiment, series_location, "long-", 0, 0, args.compare)):
    sql.execute(f"""
        INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                          end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
        SELECT {RUN_UUID}, %(prefix)s || i, 'UNKNOWN', '', '', '', 'RUNNING', %(start)s + i * %(step)s,
               NULL, '', 'active', %(location)s || '/' || {RUN_UUID} || '/artifacts', %(experiment)s::integer, NULL
        FROM generate_series(0, %(count)s - 1) AS i""",
                dict(experiment=experiment_id, prefix=prefix, start=start, step=step, location=location, count=count))
sql.execute("""
    INSERT INTO tags (key, value, run_uuid)
    SELECT 'mlflow.runName', name, run_uuid FROM runs WHERE experiment_id IN (%s, %s)""",
            (int(experiment), int(series_experiment)))
sql.execute(f"""
    INSERT INTO params (key, value, run_uuid)
    SELECT 'p' || k, mod(i * 7 + k, 97)::text, {RUN_UUID}
    FROM generate_series(0, %(count)s - 1) AS i, generate_series(0, 9) AS k""",
            dict(experiment=experiment, count=args.runs))
for table in ("metrics", "latest_metrics"):
    sql.execute(f"""
        INSERT INTO {table} (key, value, timestamp, step, is_nan, run_uuid)
        SELECT 'm' || k, mod(i * 13 + k, 1000)::float8 / 1000::float8, 1, 0, false, {RUN_UUID}
        FROM generate_series(0, %(count)s - 1) AS i, generate_series(0, 9) AS k""",
                dict(experiment=experiment, count=args.runs))
seeded_runs = time.monotonic()

# dashboard_data.loss(run, key, step) in SQL (k: the key's number, r.i: the run's).
LOSS = ("1::float8 / (1::float8 + s::float8 / 1000::float8)"
        " + 0.1::float8 * (mod(s::bigint * s * 7919 + s::bigint * 104729 + k * 1299709 + r.i * 15485863, 1000003)::float8 / 1000003::float8 - 0.5::float8)"
        " + CASE WHEN mod(s, 33333) = 0 THEN 5::float8 ELSE 0::float8 END")
SERIES_RUNS = "(SELECT run_uuid, substring(name from 6)::bigint AS i FROM runs WHERE experiment_id = %(experiment)s::integer) AS r"
for k in range(10):
    # One key at a time, in the primary key's order (key, timestamp, step, run_uuid, ...): appends.
    sql.execute(f"""
        INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid)
        SELECT %(key)s, {LOSS}, s, s, false, r.run_uuid
        FROM generate_series(0, %(points)s - 1) AS s, {SERIES_RUNS}, (SELECT %(k)s::bigint AS k) AS key_number
        ORDER BY s, r.run_uuid""",
                dict(experiment=series_experiment, key=f"loss{k}", k=k, points=args.points))
sql.execute(f"""
    INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
    SELECT 'loss' || k, {LOSS}, s, s, false, r.run_uuid
    FROM {SERIES_RUNS}, generate_series(0, 9) AS k, (SELECT %(points)s - 1 AS s) AS last""",
            dict(experiment=series_experiment, points=args.points))
seeded = time.monotonic()
sql.execute("ANALYZE")
analyzed = time.monotonic()

sql.execute("SELECT name, run_uuid FROM runs WHERE experiment_id = %s", (int(series_experiment),))
series_by_name = dict(sql.fetchall())
series_runs = [series_by_name[f"long-{i}"] for i in range(args.compare)]
db.close()

model = "dashboard-bench-model"
post("registered-models/create", {"name": model})
for _ in range(3):
    post("model-versions/create", {"name": model, "run_id": series_runs[0],
                                   "source": f"{series_location}/{series_runs[0]}/artifacts/model"})
print(f"seeded (SQL into MLflow's schema) {args.runs} runs in {seeded_runs - started:.1f} s, "
      f"{args.compare} x 10 x {args.points} points in {seeded - seeded_runs:.1f} s, ANALYZE {analyzed - seeded:.1f} s")

# ---- checks through MLflow's REST API ----------------------------------------------------------

RUNS_BODY = {"experiment_ids": [experiment], "run_view_type": "ACTIVE_ONLY", "max_results": RUNS_PAGE,
             "order_by": ["attributes.start_time DESC"]}
FILTER = "metrics.m1 > 0.5 and params.p3 = '42'"


def all_runs(body: dict) -> list[dict]:
    runs, token = [], None
    while True:
        page = post("runs/search", {**body, "max_results": 1000, **({"page_token": token} if token else {})})
        runs += page.get("runs", [])
        token = page.get("next_page_token")
        if not token:
            return runs


everything = all_runs(RUNS_BODY)
if len(everything) != args.runs:
    fail(f"runs/search finds {len(everything)} runs in the experiment, expected {args.runs}")
expected = {f"run-{i}" for i in range(args.runs) if metric_value(i, 1) > 0.5 and param_value(i, 3) == "42"}
found = {run["info"]["run_name"] for run in all_runs({**RUNS_BODY, "filter": FILTER})}
if found != expected:
    fail(f"filter {FILTER!r} finds {len(found)} runs, expected {len(expected)} (differences: {sorted(found ^ expected)[:5]})")
first = post("runs/search", RUNS_BODY)["runs"][0]
last = args.runs - 1
if (first["info"]["run_name"] != f"run-{last}"
        or {p["key"]: p["value"] for p in first["data"]["params"]} != {f"p{k}": param_value(last, k) for k in range(10)}
        or {m["key"]: (m["value"], m["step"], m["timestamp"]) for m in first["data"]["metrics"]}
        != {f"m{k}": (metric_value(last, k), 0, 1) for k in range(10)}):
    fail(f"the first page's first run is not run-{last} with its params and metrics: {first}")
top = post("runs/search", {**RUNS_BODY, "order_by": ["metrics.`m1` DESC"]})["runs"][0]
top_m1 = next(m["value"] for m in top["data"]["metrics"] if m["key"] == "m1")
if top_m1 != max(metric_value(i, 1) for i in range(args.runs)):
    fail(f"sorted by m1 DESC, the first run has m1 = {top_m1}")
history = get("metrics/get-history", {"run_id": series_runs[0], "metric_key": "loss0"}).get("metrics", [])
if sorted((m["step"], m["timestamp"], m["value"]) for m in history) != [(s, s, loss(0, 0, s)) for s in range(args.points)]:
    fail(f"get-history of long-0/loss0 returns {len(history)} points, expected {args.points} with steps 0..{args.points - 1}")
for chunk in range(0, args.compare, RUN_IDS_PER_CALL):
    ids = series_runs[chunk:chunk + RUN_IDS_PER_CALL]
    sampled = get("metrics/get-history-bulk-interval", {"run_ids": ids, "metric_key": "loss9", "max_results": SAMPLED_POINTS})["metrics"]
    for run_id in ids:
        steps = sorted(m["step"] for m in sampled if m["run_id"] == run_id)
        if (not steps or steps[0] != 0 or steps[-1] != args.points - 1 or len(steps) > SAMPLED_POINTS
                or any(m["value"] != loss(series_runs.index(run_id), 9, m["step"]) for m in sampled if m["run_id"] == run_id)):
            fail(f"get-history-bulk-interval of {run_id}/loss9 returns steps {steps[:3]}...{steps[-3:]} ({len(steps)} points)")
models = get("registered-models/search", {"filter": "", "max_results": 25, "order_by": "name ASC"}).get("registered_models", [])
if [m["name"] for m in models] != [model]:
    fail(f"registered-models/search lists {[m['name'] for m in models]}")
print(f"seed checked through the REST API: {args.runs} runs, {len(expected)} match the filter, "
      f"{args.points} points per series, {args.compare} runs sampled")

# ---- views -------------------------------------------------------------------------------------

GET_RUN = """query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
    mlflowGetRun(input: $data) {
      apiError { helpUrl code message }
      run {
        info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
        experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
        modelVersions { status version name source }
        data { metrics { key value step timestamp } params { key value } tags { key value } }
        inputs {
          datasetInputs { dataset { digest name profile schema source sourceType } tags { key value } }
          modelInputs { modelId }
        }
        outputs { modelOutputs { modelId step } }
      }
    }
  }
"""


def runs_search(body: dict) -> tuple:
    return ("POST", f"{ajax}/runs/search", {"json": body})


def metric_charts(ids: list[str]) -> list[tuple]:
    return [("GET", f"{ajax}/metrics/get-history-bulk-interval",
             {"params": {"run_ids": ids[c:c + RUN_IDS_PER_CALL], "metric_key": f"loss{k}", "max_results": SAMPLED_POINTS}})
            for k in range(10) for c in range(0, len(ids), RUN_IDS_PER_CALL)]


# The runs table's 50th page (as dashboard_bench.py: page 50 from 5,000 runs on, else the last page).
body, page_number = dict(RUNS_BODY), 1
for _ in range(49 if args.runs >= 5000 else max(1, args.runs // RUNS_PAGE - 1)):
    token = post("runs/search", body).get("next_page_token")
    if not token:
        break
    body, page_number = {**RUNS_BODY, "page_token": token}, page_number + 1

get_run = ("POST", f"{base}/graphql", {"json": {"operationName": "GetRun", "query": GET_RUN,
                                              "variables": {"data": {"runId": series_runs[0]}}}})
views = [
    ("experiments list", [("GET", f"{ajax}/experiments/search", {"params": [
        ("max_results", "25"), ("order_by", "last_update_time DESC"), ("filter", "tags.`mlflow.experiment.isGateway` IS NULL")]})]),
    (f"experiment runs table ({args.runs} runs, first page)", [runs_search(RUNS_BODY)]),
    (f"runs table, page {page_number} by its page token", [runs_search(body)]),
    ("runs table sorted by a metric", [runs_search({**RUNS_BODY, "order_by": ["metrics.`m1` DESC"]})]),
    ("runs table filtered", [runs_search({**RUNS_BODY, "filter": FILTER})]),
    (f"run page (10 metrics x {args.points} points)", [get_run, *metric_charts(series_runs[:1])]),
    (f"compare ({args.compare} runs x 10 metrics x {args.points} points)", [
        runs_search({**RUNS_BODY, "experiment_ids": [series_experiment]}), *metric_charts(series_runs)]),
    ("models", [("GET", f"{ajax}/registered-models/search", {"params": [("filter", ""), ("max_results", "25"), ("order_by", "name ASC")]})]),
]

# The GraphQL endpoint answers 200 with errors in the body: check it once.
answer = call(get_run[0], get_run[1], **get_run[2]).json()
if answer.get("errors") or answer["data"]["mlflowGetRun"]["apiError"] or len(answer["data"]["mlflowGetRun"]["run"]["data"]["metrics"]) != 10:
    fail(f"GraphQL GetRun: {str(answer)[:500]}")


def render(calls: list[tuple]) -> int:
    size = 0
    for method, url, kwargs in calls:
        size += len(call(method, url, **kwargs).content)
    return size


print(f"MLflow {call('GET', f'{base}/version').text.strip()} at {base}; PostgreSQL")
print("| view | calls | samples | p50 ms | p95 ms | bytes KB |")
print("|---|---|---|---|---|---|")
for label, calls in views:
    # Five warm-ups, or one for a view that takes seconds (MLflow's chart calls).
    warm = time.perf_counter()
    render(calls)
    if time.perf_counter() - warm < 1:
        for _ in range(4):
            render(calls)
    times = []
    size = 0
    began = time.perf_counter()
    for _ in range(args.requests):
        if len(times) >= 5 and time.perf_counter() - began > args.seconds_per_view:
            break
        start = time.perf_counter()
        size = render(calls)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"| {label} | {len(calls)} | {len(times)} | {statistics.median(times):.1f} | {times[int(len(times) * 0.95) - 1]:.1f} "
          f"| {size / 1024:.1f} |")
