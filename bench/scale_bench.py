#!/usr/bin/env python3
"""Set-up, verification and report of bench/scale.sh (issue 17). Never on a timed path: the timed
requests are sent by bench/loadgen (C). Standard library only (http.client for the REST API, the
`psql` binary for the direct SQL queries), so it runs with any python3.

  scale_bench.py setup BASE OUT_JSON OTHER_EXPS HISTORY_POINTS
        experiments scale-main, scale-other-00.., scale-history (one run, HISTORY_POINTS points of
        "loss" through runs/log-batch, read back), scale-ingest, scale-single, scale-pgbench (one
        run whose series "pgb" exists); their ids and artifact locations to OUT_JSON
  scale_bench.py queries OUT_DIR MAIN_EXP PAGE_SIZE [ENGINE]
        the request bodies of the timed searches and, per search, the direct SQL of the same
        question (queries.json), for ENGINE's schema: cairn (default), mlflow or fasttrack
  scale_bench.py page-token BASE OUT_DIR PAGE
        follows PAGE - 1 pages of the deep-page search and writes its body with the page_token
        of page PAGE (deep.body.json; FastTrackML's truncated tokens are rebuilt and counted in
        deep.token.json)
  scale_bench.py verify BASE DSN OUT_DIR NAME PG_LOG PLAN_OUT [REF_DIR]
        sends search NAME once and compares the ids returned, in order, with its SQL (and the
        presence of next_page_token with the SQL count); the request runs with auto_explain on,
        and the plans PostgreSQL logged for it go to PLAN_OUT. With REF_DIR (a peer's check:
        Cairn's OUT_DIR) the SQL's answer must also be Cairn's, and next_page_token is only recorded
  scale_bench.py create-runs BASE EXP_ID N PREFIX OUT_FILE     N runs over the API, ids to OUT_FILE
  scale_bench.py create-run BASE EXP_ID NAME                   prints a run id
  scale_bench.py verify-history BASE RUN_ID KEY N              the history is steps 0..N-1, 1/(step+1)
  scale_bench.py verify-single BASE RUN_ID KEY N               steps 0..N-1, value step * 0.5
  scale_bench.py verify-ingest BASE DSN RUNS_FILE KEYS STEPS [ENGINE]
                                                               SQL: every point and latest value of
                                                               the ingest; API: one series read back
  scale_bench.py check-seed CAIRN_BASE PEER_BASE RUNS POOL_RUNS POOL_STEPS
        a peer's bulk-loaded seed through its REST API against Cairn's (runs/get of 5 runs, the
        full history of a pool series)
  scale_bench.py copy-csv RUNS_FILE KEYS STEPS TS_BASE SERIES_BASE OUT_CSV
        the ingest's rows as metric_points rows (series SERIES_BASE + run * KEYS + key)
  scale_bench.py report RESULT_DIR OUT_MD                      Markdown tables (also printed)

Each verifying command prints one JSON object and exits 1 when the check fails.
"""

import base64
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

# ------------------------------------------------------------------------------------------- HTTP
_local = threading.local()


def _conn(base):
    u = urllib.parse.urlsplit(base)
    c = getattr(_local, "conn", None)
    if c is None or getattr(_local, "base", None) != base:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        _local.conn, _local.base = c, base
    return c


def call(base, method, path, body=None, params=None):
    """One MLflow REST call on this thread's keep-alive connection; the decoded JSON."""
    url = f"/api/2.0/mlflow/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    for attempt in range(3):
        try:
            c = _conn(base)
            c.request(method, url, body=data, headers=headers)
            r = c.getresponse()
            text = r.read()
            break
        except (http.client.HTTPException, ConnectionError):
            _local.conn = None
            if attempt == 2:
                raise
            time.sleep(0.2)
    if r.status != 200:
        raise RuntimeError(f"{method} {path} -> HTTP {r.status}: {text[:300]!r}")
    return json.loads(text) if text else {}


def pool(fn, items, n=8):
    with ThreadPoolExecutor(max_workers=n) as ex:
        return list(ex.map(fn, items))


def emit(obj, ok=True):
    print(json.dumps(obj, separators=(",", ":")))
    sys.exit(0 if ok else 1)


def now_ms():
    return int(time.time() * 1000)


# -------------------------------------------------------------------------------------------- SQL
def psql(dsn, sql):
    """Rows of SQL as lists of strings (psql -At, tab-separated)."""
    out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-d", dsn, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line != ""]


# ------------------------------------------------------------------------------------------ setup
def create_experiment(base, name):
    exp = call(base, "POST", "experiments/create", {"name": name})["experiment_id"]
    loc = call(base, "GET", "experiments/get", params={"experiment_id": exp})["experiment"]["artifact_location"]
    return exp, loc


def create_run(base, exp, name):
    body = {"experiment_id": exp, "start_time": now_ms(), "run_name": name}
    return call(base, "POST", "runs/create", body)["run"]["info"]["run_id"]


def full_history(base, run_id, key, page=25000):
    out, token, pages = [], None, 0
    while True:
        params = {"run_id": run_id, "metric_key": key, "max_results": page}
        if token:
            params["page_token"] = token
        resp = call(base, "GET", "metrics/get-history", params=params)
        pages += 1
        out.extend(resp.get("metrics", []))
        token = resp.get("next_page_token")
        if not token:
            return out, pages


def check_history(base, rid, key, n, value_of):
    hist, pages = full_history(base, rid, key)
    steps = sorted(int(m["step"]) for m in hist)
    values_ok = all(abs(float(m["value"]) - value_of(int(m["step"]))) < 1e-12 for m in hist)
    ok = steps == list(range(n)) and values_ok
    return {"points_expected": n, "points_read_back": len(hist), "pages": pages, "values_ok": values_ok, "verified": ok}


def cmd_setup(base, out, other_exps, history_points):
    other_exps, history_points = int(other_exps), int(history_points)
    res = {}
    res["main"], res["main_artifacts"] = create_experiment(base, "scale-main")
    others = [create_experiment(base, f"scale-other-{e:02d}") for e in range(other_exps)]
    res["others"] = [e for e, _ in others]
    res["other_artifacts"] = [loc for _, loc in others]
    hist_exp, _ = create_experiment(base, "scale-history")
    rid = create_run(base, hist_exp, "history")
    t0 = now_ms()
    batches = [{"run_id": rid, "metrics": [{"key": "loss", "value": 1.0 / (i + 1), "timestamp": t0 + i, "step": i}
                                           for i in range(s, min(history_points, s + 1000))]}
               for s in range(0, history_points, 1000)]
    started = time.perf_counter()
    pool(lambda b: call(base, "POST", "runs/log-batch", b), batches)
    res["history_load_s"] = round(time.perf_counter() - started, 2)
    res["history_run"] = rid
    res["history_verify"] = check_history(base, rid, "loss", history_points, lambda s: 1.0 / (s + 1))
    res["ingest_exp"], _ = create_experiment(base, "scale-ingest")
    res["single_exp"], _ = create_experiment(base, "scale-single")
    pg_exp, _ = create_experiment(base, "scale-pgbench")
    res["pgbench_run"] = create_run(base, pg_exp, "pgbench")
    call(base, "POST", "runs/log-metric", {"run_id": res["pgbench_run"], "key": "pgb", "value": 0.0, "timestamp": now_ms(), "step": 0})
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    emit({k: v for k, v in res.items() if k not in ("others", "other_artifacts")}, res["history_verify"]["verified"])


# ---------------------------------------------------------------------------------------- queries
FILTER = "metrics.acc > 0.5 and params.optimizer = 'adam'"
TAG_FILTER = "tags.dataset LIKE 'ds-1%'"
EXP_FILTER = "name LIKE 'scale-other-1%'"


# Each server's schema: Cairn's, MLflow 3.17.2's, FastTrackML 0.6.0's (MLflow's with params.value_str
# and metrics/latest_metrics per context)
SCHEMAS = {
    "cairn": {"tags": "run_tags", "param_value": "value", "not_nan": "m.is_nan = 0"},
    "mlflow": {"tags": "tags", "param_value": "value", "not_nan": "NOT m.is_nan"},
    "fasttrack": {"tags": "tags", "param_value": "value_str", "not_nan": "NOT m.is_nan"},
}


def cmd_queries(outdir, exp, page_size, engine="cairn"):
    """The timed searches: (name, label, path, body, SQL of the expected ids in order, SQL of the
    total count, offset of the page). The SQL is written from MLflow's semantics, with joins
    rather than the EXISTS clauses Cairn's compiler emits, so a wrong compilation shows; ENGINE
    (cairn, mlflow, fasttrack) chooses the schema it is written for."""
    e, p, sc = int(exp), int(page_size), SCHEMAS[engine]
    runs = f"r.experiment_id = {e} AND r.lifecycle_stage = 'active'"
    filtered_from = (f"FROM runs r JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'acc' AND {sc['not_nan']} "
                     f"JOIN params p ON p.run_uuid = r.run_uuid AND p.key = 'optimizer' "
                     f"WHERE {runs} AND m.value > 0.5 AND p.{sc['param_value']} = 'adam'")
    tag_from = (f"FROM runs r JOIN {sc['tags']} t ON t.run_uuid = r.run_uuid AND t.key = 'dataset' "
                f"WHERE {runs} AND t.value LIKE 'ds-1%'")
    qs = [
        ("filtered", f"filtered + ordered: `{FILTER}` by `metrics.acc DESC`, 100 per page", "runs/search",
         {"experiment_ids": [exp], "filter": FILTER, "order_by": ["metrics.acc DESC"], "max_results": 100},
         f"SELECT r.run_uuid {filtered_from} ORDER BY m.value DESC, r.start_time DESC, r.run_uuid LIMIT 100",
         f"SELECT count(*) {filtered_from}", 0),
        ("plain", "unfiltered first page by `attributes.start_time DESC`, 100 per page", "runs/search",
         {"experiment_ids": [exp], "order_by": ["attributes.start_time DESC"], "max_results": 100},
         f"SELECT r.run_uuid FROM runs r WHERE {runs} ORDER BY r.start_time DESC, r.run_uuid LIMIT 100",
         f"SELECT count(*) FROM runs r WHERE {runs}", 0),
        ("deep", f"page 50 of the unfiltered search through `page_token`, {p} per page", "runs/search",
         {"experiment_ids": [exp], "order_by": ["attributes.start_time DESC"], "max_results": p},
         f"SELECT r.run_uuid FROM runs r WHERE {runs} ORDER BY r.start_time DESC, r.run_uuid LIMIT {p} OFFSET {49 * p}",
         f"SELECT count(*) FROM runs r WHERE {runs}", 49 * p),
        ("tag_like", f"`{TAG_FILTER}`, first page of 100 by start time", "runs/search",
         {"experiment_ids": [exp], "filter": TAG_FILTER, "max_results": 100},
         f"SELECT r.run_uuid {tag_from} ORDER BY r.start_time DESC, r.run_uuid LIMIT 100",
         f"SELECT count(*) {tag_from}", 0),
        ("experiments", f"experiments/search `{EXP_FILTER}`", "experiments/search",
         {"filter": EXP_FILTER, "max_results": 100},
         "SELECT experiment_id FROM experiments WHERE name LIKE 'scale-other-1%' AND lifecycle_stage = 'active' "
         "ORDER BY creation_time DESC, experiment_id LIMIT 100",
         "SELECT count(*) FROM experiments WHERE name LIKE 'scale-other-1%' AND lifecycle_stage = 'active'", 0),
    ]
    meta = []
    for name, label, path, body, sql, count_sql, offset in qs:
        with open(os.path.join(outdir, f"{name}.body.json"), "w") as f:
            json.dump(body, f)
        meta.append({"name": name, "label": label, "path": path, "page_size": body["max_results"], "offset": offset,
                     "sql": sql, "count_sql": count_sql})
    with open(os.path.join(outdir, "queries.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(" ".join(q["name"] for q in meta))


def load_query(outdir, name):
    with open(os.path.join(outdir, "queries.json")) as f:
        return next(q for q in json.load(f) if q["name"] == name)


def cmd_page_token(base, outdir, page):
    q = load_query(outdir, "deep")
    with open(os.path.join(outdir, "deep.body.json")) as f:
        body = json.load(f)
    body.pop("page_token", None)
    token, repaired = None, 0
    for k in range(1, int(page)):
        b = dict(body, page_token=token) if token else body
        token = call(base, "POST", q["path"], b).get("next_page_token")
        if not token:
            emit({"error": "the search has fewer pages than asked", "page": page}, False)
        # FastTrackML 0.6.0 cuts its offset tokens short (its base64 drops a last, partial group: the
        # token of offset 10 decodes to '{"offset":10', and the request that sends it back answers 400
        # "invalid page_token"; offsets whose JSON is a multiple of 3 bytes are fine); the token it means,
        # base64 of {"offset":N} for the rows already returned, is sent instead, and counted.
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = None
        if decoded is not None and decoded.startswith('{"offset":') and not decoded.endswith("}"):
            token = base64.b64encode(json.dumps({"offset": k * body["max_results"]}, separators=(",", ":")).encode()).decode()
            repaired += 1
    with open(os.path.join(outdir, "deep.body.json"), "w") as f:
        json.dump(dict(body, page_token=token), f)
    with open(os.path.join(outdir, "deep.token.json"), "w") as f:
        json.dump({"page": int(page), "tokens_repaired": repaired}, f)
    emit({"page": int(page), "token_chars": len(token), "tokens_repaired": repaired})


# -------------------------------------------------------------------------------------- verifying
def set_auto_explain(dsn, on):
    # ALTER SYSTEM cannot run in a transaction block: one statement per psql call.
    psql(dsn, "ALTER SYSTEM SET auto_explain.log_min_duration = 0" if on else "ALTER SYSTEM RESET auto_explain.log_min_duration")
    psql(dsn, "SELECT pg_reload_conf()")
    time.sleep(0.5)  # backends take the new value before their next statement; the signal is asynchronous


def plans_from_log(text):
    """(duration_ms, query_text, plan_lines) of every auto_explain entry in a log excerpt."""
    out, cur = [], None
    for line in text.splitlines():
        m = re.search(r"LOG:  duration: ([0-9.]+) ms  plan:", line)
        if m:
            cur = [float(m.group(1)), [], []]
            out.append(cur)
            continue
        if cur is None:
            continue
        if not line.startswith("\t"):
            cur = None
            continue
        body = line[1:]
        if body.startswith("Query Text:"):
            cur[1].append(body[len("Query Text:"):].strip())
        elif cur[2] or "(cost=" in body:
            cur[2].append(body)
        else:
            cur[1].append(body)
    return [(d, " ".join(q), p) for d, q, p in out]


def plan_summary(plan_lines, limit=7):
    """The plan's nodes, outermost first, as `Node (est E, got A)`, at most `limit`."""
    nodes = []
    for line in plan_lines:
        m = re.match(r"\s*(?:->\s+)?(.+?)\s+\(cost=[^)]*rows=(\d+)[^)]*\)(?: \(actual time=[^)]*rows=(\d+) loops=(\d+)\))?", line)
        if not m:
            continue
        name, est, got, loops = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        name = re.sub(r" on (\w+) (\w+)$", r" \1", name)
        if got is not None:
            extra = f" x{loops} loops" if loops and int(loops) > 1 else ""
            nodes.append(f"{name} (est {est}, got {got}{extra})")
        else:
            nodes.append(f"{name} (est {est})")
    more = f" ... +{len(nodes) - limit} nodes" if len(nodes) > limit else ""
    return " > ".join(nodes[:limit]) + more


def cmd_verify(base, dsn, outdir, name, pg_log, plan_out, ref_dir=None):
    """REF_DIR (a peer's check): Cairn's OUT_DIR of the same stage, whose expected answer (written
    there by Cairn's verify) the peer's SQL must give too: the same run ids in the same order (the
    bulk-loaded runs have the same ids everywhere), for experiments the same count."""
    q = load_query(outdir, name)
    with open(os.path.join(outdir, f"{name}.body.json")) as f:
        body = json.load(f)
    expected = [r[0] for r in psql(dsn, q["sql"])]
    total = int(psql(dsn, q["count_sql"])[0][0])
    with open(os.path.join(outdir, f"{name}.expected.json"), "w") as f:
        json.dump({"ids": expected, "total": total}, f)
    same_data = None
    if ref_dir:
        ref = load(os.path.join(ref_dir, f"{name}.expected.json")) or {}
        same_data = ref.get("total") == total and (q["path"] == "experiments/search" or ref.get("ids") == expected)
    start = os.path.getsize(pg_log)
    set_auto_explain(dsn, True)
    try:
        t0 = time.perf_counter()
        resp = call(base, "POST", q["path"], body)
        ms = (time.perf_counter() - t0) * 1000
    finally:
        set_auto_explain(dsn, False)
    with open(pg_log, errors="replace") as f:
        f.seek(start)
        log = f.read()
    plans = plans_from_log(log)
    with open(plan_out, "w") as f:
        for d, text, lines in plans:
            f.write(f"-- duration {d} ms\n-- {text}\n" + "\n".join(lines) + "\n\n")
    if q["path"] == "experiments/search":
        got = [e["experiment_id"] for e in resp.get("experiments", [])]
        main = [p for p in plans if "FROM experiments e" in p[1]]
    else:
        got = [r["info"]["run_id"] for r in resp.get("runs", [])]
        main = [p for p in plans if "FROM runs r" in p[1] and "UNION ALL" not in p[1]]
    if not main and plans:  # a peer's statements: its slowest one
        main = [max(plans, key=lambda p: p[0])]
    has_token = bool(resp.get("next_page_token"))
    want_token = total > q["offset"] + q["page_size"]
    # A peer's next_page_token is recorded, not required: FastTrackML 0.6.0 sends one with every
    # full page, the last one too (its client then reads an empty page).
    ok = got == expected and (has_token == want_token or ref_dir is not None) and len(got) > 0 and same_data is not False
    res = {"query": name, "returned": len(got), "expected": len(expected), "total_matches": total,
           **({"same_as_cairn": same_data} if ref_dir else {}),
           "ids_equal_in_order": got == expected, "next_page_token": has_token, "token_expected": want_token,
           "first_request_ms": round(ms, 2), "plans_logged": len(plans),
           "plan_ms": main[0][0] if main else None, "plan": plan_summary(main[0][2]) if main else None,
           "verified": ok}
    if got != expected:
        missing = [x for x in expected if x not in got][:3]
        extra = [x for x in got if x not in expected][:3]
        res.update({"first_missing": missing, "first_unexpected": extra})
    emit(res, ok)


def cmd_create_runs(base, exp, n, prefix, out):
    ids = pool(lambda i: create_run(base, exp, f"{prefix}-{i}"), range(int(n)))
    with open(out, "w") as f:
        f.write("\n".join(ids) + "\n")
    emit({"experiment_id": exp, "runs": len(ids)})


def cmd_create_run(base, exp, name):
    print(create_run(base, exp, name))


def cmd_verify_history(base, rid, key, n):
    res = check_history(base, rid, key, int(n), lambda s: 1.0 / (s + 1))
    emit(res, res["verified"])


def cmd_verify_single(base, rid, key, n):
    res = check_history(base, rid, key, int(n), lambda s: s * 0.5)
    emit(res, res["verified"])


def cmd_verify_ingest(base, dsn, runs_file, keys, steps, engine="cairn"):
    keys, steps = int(keys), int(steps)
    run_ids = [line.strip() for line in open(runs_file) if line.strip()]
    ids = ",".join(run_ids)
    # every point: (run, key, step) exactly once, value step * 0.001 + k, timestamp base + step
    points = ("metric_series s JOIN metric_points p USING (series_id)" if engine == "cairn"
              else "metrics s CROSS JOIN LATERAL (SELECT s.step, s.value) p")  # the peers: one table
    rows = psql(dsn, f"""SELECT count(*), count(DISTINCT (s.run_uuid, s.key, p.step)),
        count(*) FILTER (WHERE abs(p.value - (p.step * 0.001 + substr(s.key, 2)::int)) > 1e-9),
        min(p.step), max(p.step)
        FROM {points} WHERE s.run_uuid = ANY(string_to_array('{ids}', ','))""")[0]
    n, distinct, bad, lo, hi = (int(x) for x in rows)
    latest = psql(dsn, f"""SELECT count(*), count(*) FILTER (WHERE step = {steps - 1})
        FROM latest_metrics WHERE run_uuid = ANY(string_to_array('{ids}', ','))""")[0]
    want = len(run_ids) * keys * steps
    api = check_history(base, run_ids[0], "m1", steps, lambda s: s * 0.001 + 1)
    ok = (n == want and distinct == want and bad == 0 and (lo, hi) == (0, steps - 1)
          and int(latest[0]) == len(run_ids) * keys and int(latest[1]) == len(run_ids) * keys and api["verified"])
    emit({"points_expected": want, "points_stored": n, "distinct": distinct, "bad_values": bad,
          "latest_rows": int(latest[0]), "latest_at_last_step": int(latest[1]), "api_series_read_back": api["points_read_back"],
          "verified": ok}, ok)


BENCH_TAGS = ("mlflow.user", "mlflow.source.type", "mlflow.runName", "dataset", "team")


def run_view(base, rid):
    """What the bulk load wrote for a run, as runs/get returns it (the bench's own tags only: a
    server may add its own)."""
    r = call(base, "GET", "runs/get", params={"run_id": rid})["run"]
    info, data = r["info"], r.get("data", {})
    tags = {t["key"]: t["value"] for t in data.get("tags", [])}
    return {"info": {k: info.get(k) for k in ("run_name", "status", "start_time", "end_time", "lifecycle_stage", "user_id")},
            "params": {p["key"]: p["value"] for p in data.get("params", [])},
            "tags": {k: tags.get(k) for k in BENCH_TAGS},
            "metrics": {m["key"]: (float(m["value"]), int(m["step"]), int(m["timestamp"])) for m in data.get("metrics", [])}}


def cmd_check_seed(cairn, peer, runs, pool_runs, pool_steps):
    """A peer's seed through its REST API against Cairn's: runs/get of runs 0, N/2 and N-1 of the
    searched experiment and the first and last pool run (name, status, times, user, params, the 5
    tags, latest metrics), and the full get-history of the first pool run's 'acc' (its step-0
    point and POOL_STEPS extra points)."""
    runs, pool_runs, pool_steps = int(runs), int(pool_runs), int(pool_steps)
    import hashlib
    md5 = lambda x: hashlib.md5(x.encode()).hexdigest()  # noqa: E731 (PostgreSQL's md5(), the bulk load's run ids)
    ids = [md5(f"main-{i}") for i in sorted({0, runs // 2, runs - 1})] + [md5(f"pool-{i}") for i in sorted({0, pool_runs - 1})]
    diffs = []
    for rid in ids:
        a, b = run_view(cairn, rid), run_view(peer, rid)
        for part in a:
            if a[part] != b[part]:
                diffs.append({"run": rid, "part": part, "cairn": str(a[part])[:200], "peer": str(b[part])[:200]})
    ha, _ = full_history(cairn, ids[-2], "acc")
    hb, _ = full_history(peer, ids[-2], "acc")
    pa = sorted((int(m["step"]), int(m["timestamp"]), float(m["value"])) for m in ha)
    pb = sorted((int(m["step"]), int(m["timestamp"]), float(m["value"])) for m in hb)
    hist_ok = pa == pb and len(pa) == pool_steps + 1
    ok = not diffs and hist_ok
    emit({"runs_compared": len(ids), "differences": diffs[:3], "pool_history_points": [len(pa), len(pb)],
          "pool_history_equal": hist_ok, "verified": ok}, ok)


def cmd_copy_csv(runs_file, keys, steps, ts_base, series_base, out):
    keys, steps, ts_base, series_base = int(keys), int(steps), int(ts_base), int(series_base)
    run_ids = [line.strip() for line in open(runs_file) if line.strip()]
    n = 0
    with open(out, "w") as f:
        for r in range(len(run_ids)):
            for s in range(steps):
                for k in range(keys):
                    f.write(f"{series_base + r * keys + k},{ts_base + s},{s},{s * 0.001 + k!r},0\n")
                    n += 1
    print(n)


# ----------------------------------------------------------------------------------------- report
def rounds(ingest):
    """An ingest's rounds as "median of 3: 301k / 330k / 342k" (slowest first); "1 round" alone.
    Of an even count the figure is the faster middle round (scale.sh's ingest_median)."""
    rates = sorted(r.get("metrics_per_s") or 0 for r in ingest.get("rounds", []))
    if len(rates) <= 1:
        return "1 round"
    which = "median" if len(rates) % 2 else "faster middle"
    return f"{which} of {len(rates)}: " + " / ".join(f"{x / 1000:.0f}k" for x in rates)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(x, nd=1):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    if isinstance(x, int):
        return f"{x:,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def lat(r, nd=2):
    """'p50 / p95' of a loadgen result, ms."""
    if not r or r.get("p50_ms") is None:
        return "n/a"
    return f"{fmt(r['p50_ms'], nd)} / {fmt(r['p95_ms'], nd)}"


def ver(*rs):
    flags = [r.get("verified") for r in rs if r]
    if not flags:
        return "n/a"
    return "yes" if all(flags) else "**FAILED**"


def cpu_per_req(r):
    c = (r or {}).get("cpu") or {}
    n = (r or {}).get("requests_incl_warmup")
    if not c or not n:
        return "n/a"
    return f"{fmt(c['server'] * 1000 / n, 2)} + {fmt(c['postgres'] * 1000 / n, 2)}"


# the load scripts' steps, in the order they run (bench/lib/scale_*.sql)
LOAD_STEPS = ["runs", "run_tags", "params", "metric_series", "metric_points", "latest_metrics", "temp_tables", "begin", "commit"]


PEER_LABELS = {"mlflow": "MLflow", "fasttrack": "FastTrackML"}


def times(cairn, peer, key):
    """How many times Cairn is faster than a peer at a latency (peer / Cairn), as text."""
    a, b = (cairn or {}).get(key), (peer or {}).get(key)
    return f"{b / a:,.1f}x" if a and b else "n/a"


def peer_lat(r, ref, nd=2):
    """A peer's 'p50 / p95', with its request count when the budget made it smaller than Cairn's."""
    if not r:
        return "n/a"
    if r.get("skipped"):
        return f"skipped ({r['skipped']})"
    text = lat(r, nd)
    n, m = r.get("requests"), (ref or {}).get("requests")
    return text + (f" (n={n})" if n and m and n < m else "")


def peer_section(d, meta, S, st_name, summary):
    """The stage's figures beside the peers': a Markdown block and whether every peer check passed."""
    peers = meta.get("peers") or []
    if not peers:
        return [], True
    ok_all = True
    lines = [f"### Beside the peers ({', '.join(PEER_LABELS[p] for p in peers)}: same cluster, same data, servers alternating per figure)", ""]
    for p in peers:
        P = load(os.path.join(d, p, "peer.json")) or {}
        seed = (P.get("seed_check") or {})
        ok_all &= bool(seed.get("verified"))
        rows = sum(x["rows"] for x in P.get("load") or [])
        lines.append(f"- {PEER_LABELS[p]}: {rows:,} rows bulk-loaded into its own schema this stage in {fmt(P.get('load_wall_s'), 2)} s; "
                     f"database {fmt(P.get('db_mb'))} MB; `ANALYZE` {fmt(P.get('analyze_ms'), 0)} ms, `VACUUM` {fmt(P.get('vacuum_ms'), 0)} ms; "
                     f"peak RSS of its process tree {fmt((P.get('rss_tree_peak_kb') or 0) / 1024)} MB (sampled); seed checked through its "
                     f"REST API against Cairn's ({seed.get('runs_compared', 0)} runs, the pool history of {(seed.get('pool_history_points') or ['?'])[0]} points): "
                     f"{'yes' if seed.get('verified') else '**FAILED** ' + json.dumps(seed.get('differences'))[:300]}")
    lines.append("")
    head = "| figure | Cairn p50 / p95 |"
    rule = "|---|---|"
    for p in peers:
        head += f" {PEER_LABELS[p]} p50 / p95 | Cairn faster (p50 / p95) |"
        rule += "---|---|"
    lines += [head + " verified |", rule + "---|"]

    def row(label, cairn, per_peer, key):
        nonlocal ok_all
        cells = f"| {label} | {lat(cairn)} |"
        flags = []
        for p in peers:
            r = per_peer.get(p) or {}
            cells += f" {peer_lat(r, cairn)} | {times(cairn, r, 'p50_ms')} / {times(cairn, r, 'p95_ms')} |"
            flags.append(f"{PEER_LABELS[p]} {'yes' if r.get('verified') else '**FAILED**'}")
            ok_all &= bool(r.get("verified"))
            summary.setdefault(f"{key}: {PEER_LABELS[p]} p50 ms (Cairn faster, p50)", {})[st_name] = (
                f"{fmt(r['p50_ms'], 2)} ({times(cairn, r, 'p50_ms')})" if r.get("p50_ms") else ("skipped" if r.get("skipped") else None))
        lines.append(cells + " " + ", ".join(flags) + " |")

    for q in S.get("queries", []):
        for state in ("before", "after"):
            cairn = load(os.path.join(d, state, f"{q['name']}.json")) or {}
            row(f"{q['name']}, {state} ANALYZE", cairn, {p: load(os.path.join(d, p, state, f"{q['name']}.json")) for p in peers},
                f"{q['name']} {state} ANALYZE")
    for f, label in (("history.json", f"get-history, {meta.get('history_points', 50000):,} points, client-style"),
                     ("single.json", "log-metric, c=1"), ("floor.json", "HTTP floor, GET /version (no database), c=1")):
        row(label, load(os.path.join(d, f)) or {}, {p: load(os.path.join(d, p, f)) for p in peers}, label.split(",")[0])
    ing = load(os.path.join(d, "ingest.json")) or {}
    cells = (f"| log-batch ingest, metrics/s ({meta.get('ingest_conns')} connections; p50 / p95 ms per request; the median round) | "
             f"{fmt(ing.get('metrics_per_s'))} ({lat(ing, 1)}; {rounds(ing)}) |")
    flags = []
    for p in peers:
        r = load(os.path.join(d, p, "ingest.json")) or {}
        a, b = ing.get("metrics_per_s"), r.get("metrics_per_s")
        cells += f" {fmt(b)} ({lat(r, 1)}; {rounds(r)}) | {fmt(a / b if a and b else None, 1)}x (metrics/s) |"
        flags.append(f"{PEER_LABELS[p]} {'yes' if r.get('verified') else '**FAILED**'}")
        ok_all &= bool(r.get("verified"))
        summary.setdefault(f"ingest metrics/s: {PEER_LABELS[p]} (Cairn faster)", {})[st_name] = (
            f"{fmt(b)} ({fmt(a / b if a and b else None, 1)}x)" if b else None)
    lines.append(cells + " " + ", ".join(flags) + " |")
    lines.append("")
    notes = []
    for p in peers:
        t = load(os.path.join(d, p, "deep.token.json")) or {}
        if t.get("tokens_repaired"):
            notes.append(f"{PEER_LABELS[p]}'s deep page: {t['tokens_repaired']} of its 49 page tokens were cut short by the server "
                         "(its base64 drops a last, partial group, so every token whose JSON is not a multiple of 3 bytes loses its end: "
                         "`{\"offset\":10` for offset 10; sent back as is, it answers 400), "
                         "so the token of the offset it meant was sent instead: a client following its tokens cannot reach that page.")
        for q in S.get("queries", []):
            for state in ("before", "after"):
                v = (load(os.path.join(d, p, state, f"{q['name']}.json")) or {}).get("verify") or {}
                if v and v.get("next_page_token") != v.get("token_expected"):
                    notes.append(f"{PEER_LABELS[p]} answers {q['name']} with"
                                 f"{'' if v.get('next_page_token') else 'out'} a next_page_token where "
                                 f"{'none' if not v.get('token_expected') else 'one'} is due (not counted as a failure).")
        h = load(os.path.join(d, p, "history.json")) or {}
        if h.get("pages_max") == 1:
            notes.append(f"{PEER_LABELS[p]} returns the whole history in one page (it ignores max_results on get-history).")
    if notes:
        lines += ["Notes: " + " ".join(dict.fromkeys(notes)), ""]
    return lines, ok_all


def cmd_report(rdir, out):
    meta = load(os.path.join(rdir, "meta.json")) or {}
    lines = [f"# Cairn scale benchmark {meta.get('timestamp')}", "",
             f"Release binary {meta.get('cairn_bin')} (built {meta.get('cairn_bin_mtime', '?')}; its checkout's HEAD at run time: "
             f"`{meta.get('cairn_commit')}`, which may be newer than the build); PostgreSQL {meta.get('pg_version')} "
             f"({meta.get('pg_settings')}); {meta.get('host_cpus')} CPUs; load average at start {meta.get('loadavg_start')}, "
             f"at end {meta.get('loadavg_end')}. {meta.get('requests')} timed requests per search and state "
             f"(after {meta.get('warmup')} warm-ups), p50 / p95 in ms, latency = request written to last byte read (bench/loadgen.c).", ""]
    if meta.get("peers"):
        lines += [f"Peers: {meta.get('peer_versions')} each on its own database of the same cluster, seeded with the same rows "
                  f"through its own schema (bench/lib/scale_peer_runs.sql, scale_peer_points*.sql) and the same API-made fixtures "
                  f"(scale_bench.py setup). Time budget per peer figure {meta.get('peer_budget_s')} s: a peer gets "
                  f"min({meta.get('requests')}, budget / its first request's time) timed requests (n= shows fewer), and a figure "
                  f"where 5 do not fit is skipped. \"Cairn faster\" = peer latency / Cairn latency (ingest: Cairn metrics/s / peer's).", ""]
    stages = meta.get("stages", [])
    summary = {}
    all_ok = True
    for st in stages:
        d = os.path.join(rdir, st["name"])
        S = load(os.path.join(d, "stage.json")) or {}
        counts = S.get("counts", {})
        lines.append(f"## {st['runs']:,} runs in the searched experiment, {st['points']:,} extra stored points")
        lines.append("")
        lines.append(f"Rows: {', '.join(f'{k} {int(v):,}' for k, v in counts.items())}; of the points, "
                     f"{S.get('extra_points_stored', 0):,} are the extra history ({S.get('pool_steps', 0):,} steps of each of "
                     f"{S.get('pool_series', 0):,} pool series). "
                     f"Database {fmt(S.get('db_mb'))} MB (metric_points + its index {fmt(S.get('points_mb'))} MB). "
                     f"Load average at stage start {S.get('loadavg')}.")
        lines.append("")
        ld = S.get("load") or []
        if ld:
            lines.append("Bulk load of this stage (SQL through Cairn's schema; rows per second of each statement type, summed over batches):")
            lines.append("")
            lines.append("| step | rows | seconds | rows/s |")
            lines.append("|---|---|---|---|")
            order = {k: i for i, k in enumerate(LOAD_STEPS)}
            for x in sorted(ld, key=lambda x: order.get(x["step"], len(order))):
                rate = x["rows"] / (x["ms"] / 1000) if x["ms"] and x["rows"] else None
                lines.append(f"| {x['step']} | {x['rows']:,} | {fmt(x['ms'] / 1000, 2)} | {fmt(rate)} |")
            tot_rows = sum(x["rows"] for x in ld)
            lines.append(f"| **all** (wall) | {tot_rows:,} | {fmt(S.get('load_wall_s'), 2)} | "
                         f"{fmt(tot_rows / S['load_wall_s'] if S.get('load_wall_s') else None)} |")
            lines.append("")
        lines.append(f"`ANALYZE` {fmt(S.get('analyze_ms'), 0)} ms, then `VACUUM` {fmt(S.get('vacuum_ms'), 0)} ms "
                     f"(autovacuum is off: the state before ANALYZE is the tables as loaded"
                     f"{', never analyzed' if st is stages[0] else ', statistics of the previous stage'}).")
        lines.append("")
        lines.append("| query | before ANALYZE p50 / p95 | after ANALYZE p50 / p95 | before / after (p50) | CPU ms/req after, Cairn + PG | matches | verified |")
        lines.append("|---|---|---|---|---|---|---|")
        plans = []
        for q in S.get("queries", []):
            b = load(os.path.join(d, "before", f"{q['name']}.json")) or {}
            a = load(os.path.join(d, "after", f"{q['name']}.json")) or {}
            bv, av = b.get("verify") or {}, a.get("verify") or {}
            ratio = b["p50_ms"] / a["p50_ms"] if b.get("p50_ms") and a.get("p50_ms") else None
            ok = bool(bv.get("verified") and av.get("verified") and b.get("errors") == 0 and a.get("errors") == 0)
            all_ok &= ok
            lines.append(f"| {q['label']} | {lat(b)} | {lat(a)} | {fmt(ratio, 2)}x | {cpu_per_req(a)} | "
                         f"{fmt(av.get('total_matches'))} ({av.get('returned', 'n/a')} returned) | {'yes' if ok else '**FAILED**'} |")
            summary.setdefault(f"{q['name']} before ANALYZE", {})[st["name"]] = b.get("p50_ms")
            summary.setdefault(f"{q['name']} after ANALYZE", {})[st["name"]] = a.get("p50_ms")
            for state, v in (("before", bv), ("after", av)):
                if v.get("plan"):
                    plans.append(f"- {q['name']}, {state} ANALYZE ({fmt(v.get('plan_ms'), 2)} ms in PostgreSQL): {v['plan']}")
        lines.append("")
        h, s1, ing, fl = (load(os.path.join(d, f)) or {} for f in ("history.json", "single.json", "ingest.json", "floor.json"))
        cp, pc, pl = (load(os.path.join(d, f)) or {} for f in ("copy.json", "pgbench_commit.json", "pgbench_logmetric.json"))
        rss = S.get("rss") or {}
        ok_rest = all(x.get("verified") for x in (h, s1, ing, fl) if x)
        all_ok &= ok_rest
        ing_rate = ing.get("metrics_per_s")
        copy_rate = cp.get("rows_per_s_median")
        lines.append("| measure | value | verified |")
        lines.append("|---|---|---|")
        lines.append(f"| get-history, {meta.get('history_points', 50000):,}-point metric, client-style (pages of 25,000 via `next_page_token`), p50 / p95 ms | {lat(h, 1)} | {ver(h)} |")
        lines.append(f"| log-metric at c=1, p50 / p95 ms ({s1.get('requests', '?')} calls) | {lat(s1)} | {ver(s1)} |")
        lines.append(f"| HTTP floor: GET /version (no database) at c=1, p50 / p95 ms ({fl.get('requests', '?')} calls) | {lat(fl, 3)} | {ver(fl)} |")
        lines.append(f"| log-batch ingest, metrics/s ({meta.get('ingest_conns')} connections, 1,000 per request, "
                     f"{(ing.get('metrics_sent') or 0):,} metrics; {rounds(ing)}), p50 / p95 ms per request {lat(ing, 1)} | {fmt(ing_rate)} | {ver(ing)} |")
        lines.append(f"| `\\copy` of the same rows into `metric_points` (live table, one transaction, median of 3), rows/s | "
                     f"{fmt(copy_rate)} (ingest = {fmt(ing_rate / copy_rate * 100 if ing_rate and copy_rate else None)} %) | - |")
        commit_ratio = s1["p50_ms"] / pc["p50_ms"] if s1.get("p50_ms") and pc.get("p50_ms") else None
        lines.append(f"| pgbench: durable one-row commit (INSERT, c=1), p50 / p95 ms | {fmt(pc.get('p50_ms'), 3)} / {fmt(pc.get('p95_ms'), 3)} "
                     f"(log-metric p50 = {fmt(commit_ratio, 1)}x) | - |")
        lines.append(f"| pgbench: Cairn's log-metric statement (c=1, prepared), p50 / p95 ms | {fmt(pl.get('p50_ms'), 3)} / {fmt(pl.get('p95_ms'), 3)} | - |")
        lines.append(f"| Cairn peak RSS during the stage (VmHWM, reset at stage start) / sampled every 100 ms, MB | "
                     f"{fmt((rss.get('vmhwm_kb') or 0) / 1024)} / {fmt((rss.get('sampled_peak_kb') or 0) / 1024)} | - |")
        lines.append("")
        for k, v in (("history p50", h.get("p50_ms")), ("log-metric p50", s1.get("p50_ms")), ("HTTP floor p50", fl.get("p50_ms")),
                     ("ingest metrics/s", ing_rate),
                     ("copy rows/s", copy_rate), ("pgbench commit p50", pc.get("p50_ms")), ("peak RSS MB", (rss.get("vmhwm_kb") or 0) / 1024)):
            summary.setdefault(k, {})[st["name"]] = v
        peer_lines, peers_ok = peer_section(d, meta, S, st["name"], summary)
        all_ok &= peers_ok
        lines += peer_lines
        if plans:
            lines.append("Plans of the page query (auto_explain of the verified request, outermost node first):")
            lines.append("")
            lines += plans
            lines.append("")
    if len(stages) > 1:
        lines.append("## Across stages (p50 ms unless named)")
        lines.append("")
        lines.append("| measure | " + " | ".join(f"{s['runs']:,} runs / {s['points']:,} pts" for s in stages) + " |")
        lines.append("|---|" + "---|" * len(stages))
        for k, v in summary.items():
            lines.append(f"| {k} | " + " | ".join(fmt(v.get(s["name"]), 2) for s in stages) + " |")
        lines.append("")
    lines.append("All answers verified." if all_ok else "**Some verification FAILED** (see the tables).")
    text = "\n".join(lines)
    print(text)
    with open(out, "w") as f:
        f.write(text + "\n")
    sys.exit(0 if all_ok else 1)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"setup": cmd_setup, "queries": cmd_queries, "page-token": cmd_page_token, "verify": cmd_verify,
          "create-runs": cmd_create_runs, "create-run": cmd_create_run, "verify-history": cmd_verify_history,
          "verify-single": cmd_verify_single, "verify-ingest": cmd_verify_ingest, "copy-csv": cmd_copy_csv,
          "check-seed": cmd_check_seed,
          "report": cmd_report}.get(cmd)
    if fn is None:
        print(__doc__)
        sys.exit(2)
    if cmd not in ("queries", "copy-csv", "report"):
        args[0] = args[0].rstrip("/")
    if cmd == "check-seed":
        args[1] = args[1].rstrip("/")
    fn(*args)


if __name__ == "__main__":
    main()
