#!/usr/bin/env python3
"""Cairn on SQLite at scale (issue 17: "SQLite keeps working at 50,000 runs"), driven by
bench/scale_sqlite.sh. Standard library only.

  scale_sqlite.py seed BASE RUNS OUT_JSON
        through the REST API (8 threads): experiment scale-main with RUNS runs and 50
        scale-other-NN experiments with 10 runs each; every run as a client writes it: runs/create
        (start_time T0 + i s), one log-batch of 10 params, 10 metrics and 2 tags (dataset, team),
        runs/update FINISHED. Values are functions of the run's index i, as bench/lib/scale_runs.sql
        makes them for PostgreSQL (not the same hash, so not the same rows). Writes the request
        bodies of the timed searches and the experiment ids to OUT_JSON.
  scale_sqlite.py verify BASE DB OUT_JSON
        sends each search once and compares the run ids returned, in order, with a direct SQL
        query of the SQLite file (read-only, beside the running server), and walks to page 50 to
        write the deep search's body with its page_token; prints one JSON object, exit 1 on a
        mismatch.
"""

import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale_bench import call, emit, pool  # noqa: E402  (the same keep-alive REST helpers)

T0 = 1_600_000_000_000
OTHER_EXPS, OTHER_RUNS = 50, 10
OPTIMIZERS = ["adam", "sgd", "rmsprop"]


def mix(i, salt):
    """A deterministic 32-bit hash of the run index (Knuth's multiplicative hash)."""
    return ((i * 2654435761) ^ (salt * 40503)) % 4294967296


def run_body(i):
    acc = mix(i, 1) % 10000 / 10000
    params = {"optimizer": OPTIMIZERS[mix(i, 2) % 3], "lr": ["0.1", "0.01", "0.001"][mix(i, 3) % 3],
              "batch_size": ["32", "64", "128", "256"][mix(i, 4) % 4], "epochs": str(10 + i % 91), "seed": str(i),
              "model": ["resnet18", "resnet50", "vit-b16", "bert-base"][mix(i, 5) % 4],
              "dropout": ["0.0", "0.1", "0.2", "0.3", "0.5"][mix(i, 6) % 5], "warmup": str(i % 5 * 100),
              "weight_decay": ["0", "1e-4", "1e-5"][mix(i, 7) % 3], "scheduler": ["cosine", "step", "none"][mix(i, 8) % 3]}
    metrics = {"acc": acc, "loss": 3 * (1 - acc), "val_acc": acc * 0.95, "val_loss": 3 * (1 - acc) * 1.1,
               "f1": mix(i, 9) % 10000 / 10000, "precision": mix(i, 10) % 10000 / 10000, "recall": mix(i, 11) % 10000 / 10000,
               "auc": mix(i, 12) % 10000 / 10000, "epoch_time": 10 + mix(i, 13) % 500 / 10, "throughput": 100 + mix(i, 14) % 9000}
    tags = {"dataset": f"ds-{i % 40}-v{i % 3}", "team": f"team-{i % 7}"}
    return params, metrics, tags


def seed_run(base, exp, i, prefix):
    params, metrics, tags = run_body(i)
    start = T0 + i * 1000
    rid = call(base, "POST", "runs/create", {"experiment_id": exp, "run_name": f"{prefix}{i}", "start_time": start})["run"]["info"]["run_id"]
    call(base, "POST", "runs/log-batch", {
        "run_id": rid, "params": [{"key": k, "value": v} for k, v in params.items()],
        "metrics": [{"key": k, "value": v, "timestamp": start + 1000, "step": 0} for k, v in metrics.items()],
        "tags": [{"key": k, "value": v} for k, v in tags.items()]})
    call(base, "POST", "runs/update", {"run_id": rid, "status": "FINISHED", "end_time": start + 600_000})


def cmd_seed(base, runs, out):
    t0 = time.time()
    main = call(base, "POST", "experiments/create", {"name": "scale-main"})["experiment_id"]
    others = [call(base, "POST", "experiments/create", {"name": f"scale-other-{n:02d}"})["experiment_id"] for n in range(OTHER_EXPS)]
    pool(lambda i: seed_run(base, main, i, "run-"), range(runs))
    pool(lambda k: seed_run(base, others[k // OTHER_RUNS], k, "other-"), range(OTHER_EXPS * OTHER_RUNS))
    seconds = time.time() - t0
    bodies = {
        "filtered": {"experiment_ids": [main], "filter": "metrics.acc > 0.5 and params.optimizer = 'adam'",
                     "order_by": ["metrics.acc DESC"], "max_results": 100},
        "plain": {"experiment_ids": [main], "order_by": ["attributes.start_time DESC"], "max_results": 100},
        "tag_like": {"experiment_ids": [main], "filter": "tags.dataset LIKE 'ds-1%'", "order_by": ["attributes.start_time DESC"],
                     "max_results": 100},
        "experiments": {"filter": "name LIKE 'scale-other-1%'", "max_results": 100},
    }
    requests = runs * 3 + OTHER_EXPS * OTHER_RUNS * 3 + OTHER_EXPS + 1
    with open(out, "w") as f:
        json.dump({"main": main, "runs": runs, "bodies": bodies, "seed_s": seconds, "requests": requests}, f)
    emit({"seeded_runs": runs + OTHER_EXPS * OTHER_RUNS, "seconds": round(seconds, 1), "requests_per_s": round(requests / seconds)})


# Direct SQL of each search's question (latest values, params and tags as Cairn's schema keeps them).
SQL = {
    "filtered": """SELECT r.run_uuid FROM runs r JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'acc'
        JOIN params p ON p.run_uuid = r.run_uuid AND p.key = 'optimizer'
        WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND m.is_nan = 0 AND m.value > 0.5 AND p.value = 'adam'
        ORDER BY m.value DESC, r.start_time DESC, r.run_uuid LIMIT 100""",
    "plain": """SELECT r.run_uuid FROM runs r WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active'
        ORDER BY r.start_time DESC, r.run_uuid LIMIT 100""",
    "tag_like": """SELECT r.run_uuid FROM runs r JOIN run_tags t ON t.run_uuid = r.run_uuid AND t.key = 'dataset'
        WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND t.value GLOB 'ds-1*'
        ORDER BY r.start_time DESC, r.run_uuid LIMIT 100""",
}


def cmd_verify(base, db, out):
    with open(out) as f:
        setup = json.load(f)
    sql = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    checks, ok = {}, True
    for name, query in SQL.items():
        got = [r["info"]["run_id"] for r in call(base, "POST", "runs/search", setup["bodies"][name]).get("runs", [])]
        want = [row[0] for row in sql.execute(query, (int(setup["main"]),))]
        checks[name] = {"returned": len(got), "equal": got == want}
        ok = ok and got == want and len(got) > 0
    names = [e["name"] for e in call(base, "POST", "experiments/search", setup["bodies"]["experiments"]).get("experiments", [])]
    want = [row[0] for row in sql.execute("SELECT name FROM experiments WHERE name GLOB 'scale-other-1*' ORDER BY experiment_id DESC")]
    checks["experiments"] = {"returned": len(names), "equal": sorted(names) == sorted(want)}
    ok = ok and sorted(names) == sorted(want) and len(names) == 10
    # Page 50 of the unfiltered search (page size runs / 50), walked through page_token.
    size = min(100, setup["runs"] // 50)
    body = dict(setup["bodies"]["plain"], max_results=size)
    for _ in range(49):
        body["page_token"] = call(base, "POST", "runs/search", body)["next_page_token"]
    got = [r["info"]["run_id"] for r in call(base, "POST", "runs/search", body)["runs"]]
    want = [row[0] for row in sql.execute(
        "SELECT run_uuid FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active' ORDER BY start_time DESC, run_uuid LIMIT ? OFFSET ?",
        (int(setup["main"]), size, 49 * size))]
    checks["deep"] = {"returned": len(got), "page_size": size, "equal": got == want}
    ok = ok and got == want
    setup["bodies"]["deep"] = body
    with open(out, "w") as f:
        json.dump(setup, f)
    emit({"checks": checks, "verified": ok}, ok)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "seed":
        cmd_seed(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "verify":
        cmd_verify(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
