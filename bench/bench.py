#!/usr/bin/env python3
"""Set-up, verification and report of bench/run.sh. Never on a timed path: the timed requests
are sent by bench/loadgen (C). Uses only the stdlib and `requests` (both in the project's venv).

  bench.py create-runs BASE N NAME_PREFIX OUT_FILE         experiment + N runs, ids to OUT_FILE
  bench.py verify-ingest BASE RUNS_FILE KEYS STEPS [PAIRS] (run, key): exactly STEPS points; all
                                                           pairs, or the first PAIRS (all keys of runs)
  bench.py make-history BASE POINTS OUT_JSON               one run, POINTS points of "loss"
  bench.py make-search BASE RUNS OUT_DIR                   RUNS runs + request bodies + expectation
  bench.py create-run BASE NAME                            prints a run id
  bench.py verify-single BASE RUN_ID KEY N                 history of KEY = steps 0..N-1
  bench.py copy-csv RUNS_FILE KEYS STEPS TS_BASE OUT_CSV   the ingest's rows as Cairn `metrics` rows
  bench.py report RESULT_DIR OUT_JSON                      assemble, print the Markdown table

Each verifying command prints one JSON object and exits 1 when the check fails.
"""

import glob
import json
import os
import random
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

_local = threading.local()


def session():
    if not hasattr(_local, "s"):
        _local.s = requests.Session()
    return _local.s


def call(base, method, path, body=None, params=None):
    url = f"{base}/api/2.0/mlflow/{path}"
    for attempt in range(4):
        try:
            if method == "GET":
                r = session().get(url, params=params, timeout=300)
            else:
                r = session().post(url, json=body, timeout=300)
        except requests.ConnectionError:
            if attempt == 3:
                raise
            time.sleep(0.2)
            continue
        if r.status_code == 200:
            return r.json() if r.content else {}
        raise RuntimeError(f"{method} {path} -> HTTP {r.status_code}: {r.text[:300]}")


def now_ms():
    return int(time.time() * 1000)


def create_experiment(base, prefix):
    return call(base, "POST", "experiments/create", {"name": f"{prefix}-{uuid.uuid4().hex[:10]}"})["experiment_id"]


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


def pool(fn, items, n=8):
    with ThreadPoolExecutor(max_workers=n) as ex:
        return list(ex.map(fn, items))


def emit(obj, ok=True):
    print(json.dumps(obj, separators=(",", ":")))
    sys.exit(0 if ok else 1)


# ------------------------------------------------------------------------------------------ setup
def cmd_create_runs(base, n, prefix, out):
    exp = create_experiment(base, prefix)
    ids = pool(lambda i: create_run(base, exp, f"{prefix}-{i}"), range(int(n)))
    with open(out, "w") as f:
        f.write("\n".join(ids) + "\n")
    emit({"experiment_id": exp, "runs": len(ids)})


def cmd_verify_ingest(base, runs_file, keys, steps, max_pairs="0"):
    keys, steps, max_pairs = int(keys), int(steps), int(max_pairs)
    run_ids = [line.strip() for line in open(runs_file) if line.strip()]
    pairs = [(rid, k) for rid in run_ids for k in range(keys)]
    if max_pairs > 0:
        pairs = pairs[:max_pairs]

    def check(item):
        rid, k = item
        hist, _ = full_history(base, rid, f"m{k}")
        got = sorted(int(m["step"]) for m in hist)
        vals_ok = all(abs(float(m["value"]) - (int(m["step"]) * 0.001 + k)) < 1e-9 for m in hist)
        return len(hist), got == list(range(steps)) and vals_ok

    res = pool(check, pairs)
    read_back = sum(n for n, _ in res)
    exact = all(ok for _, ok in res)
    # latest values (runs/get) must be the last step for every key, on a few runs
    latest_ok = True
    for rid in run_ids[:3]:
        run = call(base, "GET", "runs/get", params={"run_id": rid})["run"]
        mets = {m["key"]: m for m in run.get("data", {}).get("metrics", [])}
        latest_ok &= set(mets) == {f"m{k}" for k in range(keys)} and all(int(m["step"]) == steps - 1 for m in mets.values())
    expected = len(pairs) * steps
    ok = read_back == expected and exact and latest_ok
    emit({"pairs_checked": len(pairs), "points_expected": expected, "points_read_back": read_back,
          "exact_steps_and_values": exact, "latest_ok": latest_ok, "verified": ok}, ok)


def log_points(base, rid, key, n, conc=8):
    t_base = now_ms()
    batches = [{"run_id": rid, "metrics": [{"key": key, "value": 1.0 / (i + 1), "timestamp": t_base + i, "step": i}
                                           for i in range(s, min(n, s + 1000))]} for s in range(0, n, 1000)]
    pool(lambda b: call(base, "POST", "runs/log-batch", b), batches, conc)


def cmd_make_history(base, points, out):
    n = int(points)
    exp = create_experiment(base, "bench-history")
    rid = create_run(base, exp, "history")
    t0 = time.perf_counter()
    log_points(base, rid, "loss", n)
    load_s = time.perf_counter() - t0
    hist, pages = full_history(base, rid, "loss")
    steps_ok = sorted(int(m["step"]) for m in hist) == list(range(n))
    vals_ok = all(abs(float(m["value"]) - 1.0 / (int(m["step"]) + 1)) < 1e-12 for m in hist)
    unpaged = call(base, "GET", "metrics/get-history", params={"run_id": rid, "metric_key": "loss"})
    first = call(base, "GET", "metrics/get-history", params={"run_id": rid, "metric_key": "loss", "max_results": 25000})
    ok = len(hist) == n and steps_ok and vals_ok and len(unpaged.get("metrics", [])) == n
    res = {"run_id": rid, "points": n, "load_s": round(load_s, 2), "client_style_pages": pages,
           "first_page_points": len(first.get("metrics", [])), "first_page_has_token": bool(first.get("next_page_token")),
           "unpaged_points": len(unpaged.get("metrics", [])), "read_back": len(hist), "verified": ok}
    with open(out, "w") as f:
        json.dump(res, f)
    emit(res, ok)


def cmd_make_search(base, nruns, outdir):
    exp = create_experiment(base, "bench-search")
    rnd = random.Random(42)
    specs = [{"i": i, "acc": round(rnd.random(), 6), "loss": round(rnd.random() * 3, 6),
              "opt": rnd.choice(["adam", "sgd", "rmsprop"]), "lr": rnd.choice(["0.1", "0.01", "0.001"])}
             for i in range(int(nruns))]

    def make(sp):
        rid = create_run(base, exp, f"search-{sp['i']}")
        ts = now_ms()
        call(base, "POST", "runs/log-batch", {
            "run_id": rid,
            "metrics": [{"key": "acc", "value": sp["acc"], "timestamp": ts, "step": 0},
                        {"key": "loss", "value": sp["loss"], "timestamp": ts, "step": 0}],
            "params": [{"key": "optimizer", "value": sp["opt"]}, {"key": "lr", "value": sp["lr"]}],
            "tags": [{"key": "team", "value": "bench"}]})
        return rid

    t0 = time.perf_counter()
    rids = pool(make, specs)
    setup_s = time.perf_counter() - t0
    rid_of = {sp["i"]: rid for sp, rid in zip(specs, rids)}
    flt = "metrics.acc > 0.5 and params.optimizer = 'adam'"
    body = {"experiment_ids": [exp], "filter": flt, "order_by": ["metrics.acc DESC"], "max_results": 100}
    plain = {"experiment_ids": [exp], "max_results": 100}
    with open(os.path.join(outdir, "search_body.json"), "w") as f:
        json.dump(body, f)
    with open(os.path.join(outdir, "search_plain_body.json"), "w") as f:
        json.dump(plain, f)
    expected = sorted((sp for sp in specs if sp["acc"] > 0.5 and sp["opt"] == "adam"), key=lambda sp: -sp["acc"])
    got, token, pages = [], None, 0
    first_page = None
    while True:
        b = dict(body)
        if token:
            b["page_token"] = token
        resp = call(base, "POST", "runs/search", b)
        pages += 1
        if first_page is None:
            first_page = resp.get("runs", [])
        got.extend(resp.get("runs", []))
        token = resp.get("next_page_token")
        if not token:
            break
    got_ids = [r["info"]["run_id"] for r in got]
    exp_ids = [rid_of[sp["i"]] for sp in expected]
    accs = [next(float(m["value"]) for m in r["data"]["metrics"] if m["key"] == "acc") for r in got]
    first_ids = [r["info"]["run_id"] for r in first_page]
    ok = (got_ids == exp_ids and len(set(got_ids)) == len(got_ids)
          and all(accs[i] >= accs[i + 1] for i in range(len(accs) - 1))
          and first_ids == exp_ids[:100])
    emit({"experiment_id": exp, "runs": len(specs), "setup_s": round(setup_s, 2), "filter": flt,
          "order_by": body["order_by"], "matches_expected": len(expected), "matches_returned": len(got_ids),
          "pages": pages, "first_page_runs": len(first_page), "verified": ok}, ok)


def cmd_create_run(base, name):
    exp = create_experiment(base, "bench-" + name)
    print(create_run(base, exp, name))


def cmd_verify_single(base, rid, key, n):
    n = int(n)
    hist, _ = full_history(base, rid, key)
    steps = sorted(int(m["step"]) for m in hist)
    vals_ok = all(float(m["value"]) == int(m["step"]) * 0.5 for m in hist)
    ok = steps == list(range(n)) and vals_ok
    emit({"points_expected": n, "points_read_back": len(hist), "verified": ok}, ok)


def cmd_copy_csv(runs_file, keys, steps, ts_base, out):
    keys, steps, ts_base = int(keys), int(steps), int(ts_base)
    run_ids = [line.strip() for line in open(runs_file) if line.strip()]
    n = 0
    with open(out, "w") as f:
        for rid in run_ids:
            for s in range(steps):
                for k in range(keys):
                    f.write(f"{rid},m{k},{ts_base + s},{s},{s * 0.001 + k!r},0\n")
                    n += 1
    print(n)


# ----------------------------------------------------------------------------------------- report
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def fmt(x, nd=1):
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, str):
        return x
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def rss_stats(csv_path, pid, t_from=None, t_to=None, tree=False):
    best = None
    last = None
    try:
        with open(csv_path) as f:
            next(f)
            for line in f:
                t, p, tree_kb, root_kb = line.strip().split(",")
                if p != str(pid):
                    continue
                t = int(t)
                if t_from is not None and t < t_from or t_to is not None and t > t_to:
                    continue
                v = int(tree_kb if tree else root_kb)
                best = v if best is None else max(best, v)
                last = v
    except OSError:
        pass
    return best, last


def autovacuum_events(log_path):
    """(start_ms, end_ms, text) of every autovacuum/autoanalyze in a PostgreSQL log
    (log_autovacuum_min_duration=0; the line is written at the end, with the elapsed time)."""
    import datetime
    import re
    events = []
    try:
        lines = open(log_path, errors="replace").read().splitlines()
    except OSError:
        return events
    head = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[\d+\] LOG:  automatic (vacuum|analyze) of table \"([^\"]+)\"")
    for i, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        end = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        end_ms = int(end.timestamp() * 1000)
        elapsed = 0.0
        for follow in lines[i:i + 12]:
            e = re.search(r"elapsed: ([0-9.]+) s", follow)
            if e:
                elapsed = float(e.group(1))
                break
        events.append((end_ms - int(elapsed * 1000), end_ms, f"{m.group(2)} {m.group(3)} ({elapsed:.2f} s)", elapsed))
    return events


def cmd_report(rdir, out):
    meta = load(os.path.join(rdir, "meta.json")) or {}
    servers = ["mlflow", "cairn"]
    R = {"meta": meta, "servers": {}}
    for s in servers:
        d = os.path.join(rdir, s)
        r = {}
        for f in sorted(glob.glob(os.path.join(d, "*.json"))):
            r[os.path.basename(f)[:-5]] = load(f)
        R["servers"][s] = r
    # phase windows (unix ms) for per-phase peak RSS
    phases = load(os.path.join(rdir, "phases.json")) or {}
    R["phases"] = phases
    rss_csv = os.path.join(rdir, "rss.csv")
    for s in servers:
        pid = meta.get(f"{s}_pid")
        r = R["servers"][s]
        if pid:
            peak_root, _ = rss_stats(rss_csv, pid)
            peak_tree, _ = rss_stats(rss_csv, pid, tree=True)
            r["rss_peak_kb"] = {"root": peak_root, "tree": peak_tree}
            r["rss_peak_by_phase_kb"] = {}
            for name, win in phases.items():
                if win.get("server") == s:
                    r["rss_peak_by_phase_kb"][name] = rss_stats(rss_csv, pid, win["start_ms"], win["end_ms"], tree=(s == "mlflow"))[0]
    av = autovacuum_events(os.path.join(rdir, "postgres.log"))
    for name, win in phases.items():
        hits = [(t, e) for s0, s1, t, e in av if s0 <= win["end_ms"] and s1 >= win["start_ms"]]
        win["autovacuum"] = [t for t, _ in hits]
        big = [t for t, e in hits if e >= 0.05]
        win["autovacuum_summary"] = "; ".join(big + ([f"{len(hits) - len(big)} more < 0.05 s"] if len(hits) > len(big) else []))
    R["copy"] = load(os.path.join(rdir, "copy.json"))
    R["copy_cairn_schema"] = load(os.path.join(rdir, "copy_cairn_schema.json"))
    R["pg_insert"] = load(os.path.join(rdir, "pg_insert.json"))
    with open(out, "w") as f:
        json.dump(R, f, indent=1)

    M, C = R["servers"]["mlflow"], R["servers"]["cairn"]

    def ingest_rate(r):
        """(round 1, median of rounds, rounds): round 1 starts on an empty metrics table, like
        MLflow's (single) round; later rounds write into a table that grows by 100,000 rows each."""
        rounds = [v for k, v in sorted(r.items(), key=lambda kv: int(kv[0][12:]) if kv[0][12:].isdigit() else 0)
                  if k.startswith("ingest_round") and v]
        rates = [x["metrics_per_s"] for x in rounds]
        if not rates:
            return None, None, rounds
        return rates[0], median(rates), rounds

    def g(r, k, f):
        v = r.get(k) or {}
        return v.get(f)

    rows = []
    wl = meta.get("workload", {})
    hp, sr = wl.get("history_points", 50000), wl.get("search_runs", 2000)

    def ratio_hi(m, c):  # higher is better for Cairn
        return None if m is None or c is None or m == 0 else c / m

    def ratio_lo(m, c):  # lower is better for Cairn
        return None if m is None or c is None or c == 0 else m / c

    def row(name, m, c, ratio, target, unit=""):
        met = "n/a" if ratio is None or target is None else ("yes" if ratio >= target else "**no**")
        rows.append(f"| {name} | {fmt(m)}{unit} | {fmt(c)}{unit} | {fmt(ratio) + 'x' if ratio is not None else 'n/a'} | "
                    f"{'>= ' + fmt(target, 0) + 'x' if target else '-'} | {met} |")

    mi, _, m_rounds = ingest_rate(M)
    ci, ci_med, c_rounds = ingest_rate(C)
    row("(a) ingest, metrics/s (8 clients, 1000/req), first round (empty table on both)", mi, ci, ratio_hi(mi, ci), 20)
    if len(c_rounds) > 1:
        per_round = wl.get("runs", 20) * wl.get("steps", 500) * wl.get("keys", 10)
        row(f"(a) same, Cairn median of {len(c_rounds)} rounds (table grows by {per_round:,} rows per round: "
            f"{', '.join(fmt(x['metrics_per_s']) for x in c_rounds)})", mi, ci_med, ratio_hi(mi, ci_med), None)

    def lat1(rounds, f):
        return rounds[0][f] if rounds else None

    for p in ("p50_ms", "p95_ms", "p99_ms"):
        row(f"(a) log-batch latency {p[:-3]}, ms (first round)", lat1(m_rounds, p), lat1(c_rounds, p),
            ratio_lo(lat1(m_rounds, p), lat1(c_rounds, p)), None)
    pages = -(-hp // 25000)
    for label, key in ((f"client-style, {pages} page{'s' if pages > 1 else ''} of <= 25,000", "history_paged"), ("one unpaged request", "history_unpaged")):
        for p, tgt in (("p50_ms", 20), ("p95_ms", None)):
            mv, cv = g(M, key, p), g(C, key, p)
            row(f"(b) get-history {hp:,} pts, {label}, {p[:-3]} ms", mv, cv, ratio_lo(mv, cv), tgt)
    for p, tgt in (("p50_ms", 5), ("p95_ms", None)):
        mv, cv = g(M, "search", p), g(C, "search", p)
        row(f"(c) runs/search {sr:,} runs, filtered + ordered, {p[:-3]} ms", mv, cv, ratio_lo(mv, cv), tgt)
    for p in ("p50_ms", "p95_ms"):
        mv, cv = g(M, "search_plain", p), g(C, "search_plain", p)
        row(f"(c) same, unfiltered first page, {p[:-3]} ms", mv, cv, ratio_lo(mv, cv), None)
    for p, tgt in (("p50_ms", 20), ("p99_ms", None)):
        mv, cv = g(M, "single", p), g(C, "single", p)
        row(f"(d) log-metric at c=1, {p[:-3]} ms", mv, cv, ratio_lo(mv, cv), tgt)

    lines = []
    lines.append(f"Run {meta.get('timestamp')} on {meta.get('host_cpus')} CPUs; PostgreSQL {meta.get('pg_version')} "
                 f"({meta.get('pg_settings')}); load average at start {meta.get('loadavg_start')}, at end {meta.get('loadavg_end')}")
    lines.append("")
    lines.append("| measure | MLflow 3.17.2 | Cairn | ratio | target | met? |")
    lines.append("|---|---|---|---|---|---|")
    lines += rows
    lines.append("")
    # verification
    ver = []
    for s in servers:
        for k, v in sorted(R["servers"][s].items()):
            if isinstance(v, dict) and "verified" in v:
                ver.append(f"{s}/{k}={'ok' if v['verified'] else 'FAILED'}")
            if isinstance(v, dict) and v.get("errors"):
                ver.append(f"{s}/{k}: {v['errors']} request errors ({v.get('first_error', '')[:120]})")
    # CPU cost per operation: (server + PostgreSQL CPU seconds) / samples, warm-ups included (they run
    # inside the same CPU window). Less sensitive to the machine's load than latencies.
    warm = {"history_paged": 2, "history_unpaged": 2, "search": 3, "search_plain": 3, "single": 10}
    lines.append("")
    lines.append("CPU cost per operation (server + PostgreSQL CPU time inside the phase / operations; load-independent "
                 "apart from cache effects):")
    lines.append("")
    lines.append("| operation | MLflow CPU ms (server + PG) | Cairn CPU ms (server + PG) | ratio |")
    lines.append("|---|---|---|---|")

    def cpu_per(server, names, per):
        tot, n = 0.0, 0
        for nm in names:
            w = phases.get(f"{server}/{nm}")
            res = R["servers"][server].get(nm) or {}
            if not w or not res.get("requests"):
                continue
            tot += (w["cpu"]["server"] or 0) + (w["cpu"]["postgres"] or 0)
            n += per(nm, res)
        return (tot * 1000 / n, tot) if n else (None, None)

    def per_call(nm, res):
        return res["requests"] + warm.get(nm, 0)

    def split(server, names):
        s = p = 0.0
        for nm in names:
            w = phases.get(f"{server}/{nm}")
            if w:
                s += w["cpu"]["server"] or 0
                p += w["cpu"]["postgres"] or 0
        return f"{fmt(s, 2)} s + {fmt(p, 2)} s"

    for label, names, per, unit in (
        ("(a) ingest, per 1,000 metrics", [k for k in C if k.startswith("ingest_round")], lambda nm, r: r.get("metrics_sent", 0) / 1000, 1),
        ("(b) 50k-point history, per client-style fetch", ["history_paged"], per_call, 1),
        ("(b) 50k-point history, per unpaged fetch", ["history_unpaged"], per_call, 1),
        ("(c) filtered search, per query", ["search"], per_call, 1),
        ("(d) log-metric, per call", ["single"], per_call, 1),
    ):
        mnames = [k for k in M if k.startswith("ingest_round")] if label.startswith("(a)") else names
        mv, _ = cpu_per("mlflow", mnames, per)
        cv, _ = cpu_per("cairn", names, per)
        lines.append(f"| {label} | {fmt(mv, 2)} ({split('mlflow', mnames)}) | {fmt(cv, 2)} ({split('cairn', names)}) | "
                     f"{fmt(mv / cv) + 'x' if mv and cv else 'n/a'} |")
    lines.append("")
    lines.append("Verification: " + ", ".join(ver))
    lines.append("")
    # memory and start-up
    lines.append("| server | start-up to first /health 200 | idle RSS | peak RSS during the run |")
    lines.append("|---|---|---|---|")
    for s in servers:
        r = R["servers"][s]
        st = r.get("startup") or {}
        idle = r.get("idle_rss") or {}
        peak = r.get("rss_peak_kb") or {}
        if s == "cairn":
            lines.append(f"| Cairn (1 process) | {fmt(st.get('fresh_db_ms'))} ms on a new database (migrations), "
                         f"{fmt(st.get('existing_db_ms'))} ms on the migrated one | {fmt((idle.get('root_kb') or 0) / 1024)} MB "
                         f"(target <= 64) | {fmt((peak.get('root') or 0) / 1024)} MB sampled every 100 ms; kernel high-water mark "
                         f"(VmHWM) {fmt(((r.get('end_rss') or {}).get('vmhwm_kb') or 0) / 1024)} MB (target < 256) |")
        else:
            lines.append(f"| MLflow ({idle.get('procs', '?')} processes, RSS summed) | {fmt(st.get('fresh_db_ms'))} ms on a new database | "
                         f"{fmt((idle.get('tree_kb') or 0) / 1024)} MB | {fmt((peak.get('tree') or 0) / 1024)} MB |")
    lines.append("")
    cp = R.get("copy") or {}
    if cp:
        fr = ci / cp["rows_per_s_median"] if ci and cp.get("rows_per_s_median") else None
        frm = ci_med / cp["rows_per_s_median"] if ci_med and cp.get("rows_per_s_median") else None
        lines.append(f"Physical limit: `\\copy` of the same {cp.get('rows'):,} rows into a table shaped like Cairn's `metrics` before migration 0007 "
                     f"(run id and key in every row, same primary key): median {fmt(cp.get('seconds_median'), 3)} s = {fmt(cp.get('rows_per_s_median'))} rows/s "
                     f"(runs: {', '.join(fmt(x, 3) for x in cp.get('seconds', []))} s). Cairn's ingest is "
                     f"{fmt(fr * 100 if fr else None)} % of it (first round), {fmt(frm * 100 if frm else None)} % (median of rounds).")
    cs = R.get("copy_cairn_schema") or {}
    if cs:
        fr = ci / cs["rows_per_s_median"] if ci and cs.get("rows_per_s_median") else None
        frm = ci_med / cs["rows_per_s_median"] if ci_med and cs.get("rows_per_s_median") else None
        lines.append(f"`\\copy` of the same rows into Cairn's own history table `metric_points` (as migrated: series-keyed primary key since migration 0007): median "
                     f"{fmt(cs.get('seconds_median'), 3)} s = {fmt(cs.get('rows_per_s_median'))} rows/s; PostgreSQL CPU "
                     f"{', '.join(fmt(x, 2) for x in cs.get('postgres_cpu_s', []))} s per run (plain table: "
                     f"{', '.join(fmt(x, 2) for x in (cp or {}).get('postgres_cpu_s', []))} s). Cairn's ingest is "
                     f"{fmt(fr * 100 if fr else None)} % of it (first round), {fmt(frm * 100 if frm else None)} % (median).")
    pi = R.get("pg_insert") or {}
    if pi:
        lines.append(f"Cairn's SQL without Cairn (pgbench, 8 clients, Cairn's schema; per request one statement: a 1000-row history insert "
                     f"without ON CONFLICT, as Cairn sends it first, + the latest_metrics upsert as CTEs guarded by the run being active): "
                     f"{fmt(pi.get('metrics_per_s'))} metrics/s, PostgreSQL CPU "
                     f"{fmt(pi.get('batch_postgres_cpu_s'), 2)} s for {pi.get('rows_loaded', 0):,} rows. With ON CONFLICT DO NOTHING on the "
                     f"history insert (Cairn's retry when a point is already stored): {fmt(pi.get('on_conflict_metrics_per_s'))} metrics/s, "
                     f"PostgreSQL CPU {fmt(pi.get('on_conflict_postgres_cpu_s'), 2)} s for {pi.get('on_conflict_rows_loaded', 0):,} rows. The single log-metric "
                     f"statement (the same with one row) at 1 client: p50 {fmt(pi.get('single_p50_ms'), 2)} ms, "
                     f"p99 {fmt(pi.get('single_p99_ms'), 2)} ms.")
    lines.append("")
    # CPU split
    lines.append("| phase | wall s | server CPU s | PostgreSQL CPU s | loadgen CPU s | load avg at start | autovacuum in the window |")
    lines.append("|---|---|---|---|---|---|---|")
    for name, win in phases.items():
        cpu = win.get("cpu") or {}
        lines.append(f"| {name} | {fmt(win.get('wall_s'), 2)} | {fmt(cpu.get('server'), 2)} | "
                     f"{fmt(cpu.get('postgres'), 2)} | {fmt(win.get('client_cpu_s'), 2)} | {win.get('loadavg')} | "
                     f"{win.get('autovacuum_summary') or '-'} |")
    text = "\n".join(lines)
    print(text)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(text + "\n")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"create-runs": cmd_create_runs, "verify-ingest": cmd_verify_ingest, "make-history": cmd_make_history,
          "make-search": cmd_make_search, "create-run": cmd_create_run, "verify-single": cmd_verify_single,
          "copy-csv": cmd_copy_csv, "report": cmd_report}.get(cmd)
    if fn is None:
        print(__doc__)
        sys.exit(2)
    if cmd not in ("copy-csv", "report"):
        args[0] = args[0].rstrip("/")
    fn(*args)


if __name__ == "__main__":
    main()
