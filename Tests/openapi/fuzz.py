#!/usr/bin/env python3
"""Checks a running Cairn (auth on) against its OpenAPI document, then fuzzes it with schemathesis.

    CAIRN_FUZZ_TOKEN=<admin token> Tests/openapi/fuzz.py --url http://127.0.0.1:PORT [--max-examples N]

1. Reachability: every documented operation is served (401 without a credential; /health and
   /ready 200 without one; the signed promotion webhook 401/403 unsigned), and GET /api/openapi.json
   serves the committed document.
2. Conformance on real data: creates an experiment, a run with metrics (NaN too), params, tags,
   inputs and outputs, a logged model, a registered model with versions, aliases and tags, a token
   and artifacts, and validates every 200 body against the document's schema for it (random
   fuzzing rarely gets past 404s to these).
3. schemathesis (Tests/openapi/schemathesis.toml, hooks in Tests/openapi/cairn_fuzz_hooks.py) over every
   operation with the checks not_a_server_error, response_schema_conformance and
   status_code_conformance. Fails on any failure or error, when an operation went untested, or
   when fewer than --min-requests requests were made.

Run it with the interpreter of the venv holding Tests/openapi/requirements.txt.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import requests

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "Sources/CairnServer/Resources/openapi.json"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Open operations that authenticate by a signature instead of a token: unsigned, the webhook answers
# 403 when no webhook secret is configured (as in this run), 401 (bad signature) when one is.
UNSIGNED_STATUSES = {
    "/api/cairn/v1/webhooks/promote": (401, 403),
    # The dashboard sends a browser without a session to its sign-in form instead of answering 401.
    **{page: (303,) for page in (
        "/", "/experiments/{id}", "/runs/{id}", "/compare", "/models", "/models/{name}", "/models/{name}/rollback", "/deployments")},
    "/signin": (200, 401),  # the form (GET); a sign-in without a valid token gets the form again (POST)
    "/signout": (303,),
}


class Checker:
    def __init__(self, url: str, token: str, document: dict):
        self.url, self.document = url.rstrip("/"), document
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.problems: list[str] = []
        self.validated = 0

    def schema_of(self, method: str, path: str, status: str = "200") -> dict | None:
        response = self.document["paths"][path][method.lower()]["responses"].get(status)
        if response is None:
            return None
        content = response.get("content", {}).get("application/json")
        return content and {**content["schema"], "components": self.document["components"]}

    def call(self, method: str, path: str, *, path_params=None, params=None, body=None, data=None, headers=None, expect=200):
        """Calls a documented operation and validates the response against the document."""
        concrete = path.format(**(path_params or {}))
        response = self.session.request(
            method, self.url + concrete, params=params, json=body, data=data, headers=headers, timeout=30)
        label = f"{method} {concrete}"
        if response.status_code != expect:
            self.problems.append(f"{label}: expected {expect}, got {response.status_code}: {response.text[:300]}")
            return None
        schema = self.schema_of(method, path, str(expect))
        if schema is None:
            return response
        try:
            payload = response.json()
            jsonschema.Draft202012Validator(schema).validate(payload)
            self.validated += 1
        except (ValueError, jsonschema.ValidationError) as error:
            self.problems.append(f"{label}: response does not match the document: {str(error)[:600]}")
            return None
        return payload

    # -- 1. reachability --------------------------------------------------------------------------

    def reachability(self) -> None:
        anonymous = requests.Session()
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                concrete = path.replace("{artifact_path}", "openapi-probe/file.txt")
                concrete = concrete.replace("{file}", "cairn.css")
                for name in ("model_id", "tag_key", "name", "id"):
                    concrete = concrete.replace("{" + name + "}", "openapi-probe")
                response = anonymous.request(method.upper(), self.url + concrete, timeout=30, allow_redirects=False)
                expected = UNSIGNED_STATUSES.get(path) or ((200,) if operation.get("security") == [] else (401,))
                if response.status_code not in expected:
                    wanted = " or ".join(map(str, expected))
                    self.problems.append(f"{method.upper()} {path}: without a credential expected {wanted}, got {response.status_code}")
        served = self.session.get(self.url + "/api/openapi.json", timeout=30)
        if served.status_code != 200 or served.json() != self.document:
            self.problems.append("GET /api/openapi.json does not serve the committed document (is the server built from this tree?)")

    # -- 2. conformance on real data --------------------------------------------------------------

    def real_data(self) -> None:
        c, suffix = self.call, str(int(time.time() * 1000))
        exp_name = f"openapi-{suffix}"
        created = c("POST", "/api/2.0/mlflow/experiments/create", body={"name": exp_name, "tags": [{"key": "team", "value": "cairn"}]})
        if not created:
            return
        exp_id = created["experiment_id"]
        c("GET", "/api/2.0/mlflow/experiments/get", params={"experiment_id": exp_id})
        c("GET", "/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": exp_name})
        c("POST", "/api/2.0/mlflow/experiments/search", body={"max_results": 5, "view_type": "ALL"})
        c("GET", "/api/2.0/mlflow/experiments/search", params={"max_results": 1})
        c("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", body={"experiment_id": exp_id, "key": "k", "value": 1})
        c("POST", "/api/2.0/mlflow/experiments/update", body={"experiment_id": exp_id, "new_name": exp_name + "-renamed"})

        run = c("POST", "/api/2.0/mlflow/runs/create", body={"experiment_id": exp_id, "start_time": "1700000000000", "tags": [{"key": "t", "value": "v"}]})
        if not run:
            return
        run_id = run["run"]["info"]["run_id"]
        metrics = [{"key": "loss", "value": v, "timestamp": 1700000000000 + i, "step": i} for i, v in enumerate([0.5, "NaN", "Infinity", 2])]
        c("POST", "/api/2.0/mlflow/runs/log-batch", body={"run_id": run_id, "metrics": metrics, "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "x", "value": "y"}]})
        c("POST", "/api/2.0/mlflow/runs/log-metric", body={"run_id": run_id, "key": "acc", "value": "-Infinity", "timestamp": 1700000000100})
        c("POST", "/api/2.0/mlflow/runs/log-parameter", body={"run_id": run_id, "key": "epochs", "value": "3"})
        c("POST", "/api/2.0/mlflow/runs/set-tag", body={"run_id": run_id, "key": "note", "value": "hello"})
        c("POST", "/api/2.0/mlflow/runs/log-model", body={"run_id": run_id, "model_json": "{\"flavors\": {}}"})
        model = c("POST", "/api/2.0/mlflow/logged-models", body={"experiment_id": exp_id, "name": "m", "source_run_id": run_id, "model_type": "sklearn",
                                                               "params": [{"key": "alpha", "value": "1"}], "tags": [{"key": "a", "value": "b"}]})
        model_id = model["model"]["info"]["model_id"] if model else None
        datasets = [{"dataset": {"name": "ds", "digest": "abc", "source_type": "local", "source": "file:///x", "schema": "{}", "profile": "{}"},
                     "tags": [{"key": "mlflow.data.context", "value": "train"}]}]
        c("POST", "/api/2.0/mlflow/runs/log-inputs", body={"run_id": run_id, "datasets": datasets, "models": [{"model_id": model_id}] if model_id else []})
        if model_id:
            c("POST", "/api/2.0/mlflow/runs/outputs", body={"run_id": run_id, "models": [{"model_id": model_id, "step": 1}]})
            c("POST", "/api/2.0/mlflow/runs/log-metric", body={"run_id": run_id, "key": "auc", "value": 0.9, "timestamp": 1700000000200, "model_id": model_id})
            for method, path, extra in [
                ("GET", "/api/2.0/mlflow/logged-models/{model_id}", {}),
                ("PATCH", "/api/2.0/mlflow/logged-models/{model_id}/tags", {"body": {"tags": [{"key": "c", "value": "d"}]}}),
                ("POST", "/api/2.0/mlflow/logged-models/{model_id}/params", {"body": {"params": [{"key": "beta", "value": "2"}]}}),
                ("PATCH", "/api/2.0/mlflow/logged-models/{model_id}", {"body": {"status": "LOGGED_MODEL_READY"}}),
                ("DELETE", "/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}", {"path_params": {"model_id": model_id, "tag_key": "c"}}),
            ]:
                c(method, path, **{"path_params": {"model_id": model_id}, **extra})
            c("POST", "/api/2.0/mlflow/logged-models/search", body={"experiment_ids": [exp_id]})
            model_prefix = f"{exp_id}/models/{model_id}/artifacts"
            c("PUT", "/api/2.0/mlflow-artifacts/artifacts/{artifact_path}", path_params={"artifact_path": f"{model_prefix}/MLmodel"}, data=b"flavors: {}\n")
            c("GET", "/api/2.0/mlflow/logged-models/{model_id}/artifacts/directories", path_params={"model_id": model_id})
            c("GET", "/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files", path_params={"model_id": model_id},
              params={"artifact_file_path": "MLmodel"})
        c("POST", "/api/2.0/mlflow/runs/update", body={"run_id": run_id, "status": "FINISHED", "end_time": 1700000001000})
        c("GET", "/api/2.0/mlflow/runs/get", params={"run_id": run_id})
        c("POST", "/api/2.0/mlflow/runs/search", body={"experiment_ids": [exp_id], "max_results": 10})
        c("GET", "/api/2.0/mlflow/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})
        c("GET", "/api/2.0/mlflow/metrics/get-history", params={"run_id": run_id, "metric_key": "loss", "max_results": 2})
        c("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", params={"run_ids": [run_id], "metric_key": "loss", "max_results": 10})
        c("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval", params={"run_ids": [run_id], "metric_key": "loss"})
        c("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", params={"run_id": [run_id], "metric_key": "loss"})
        c("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", body={"experiment_ids": [exp_id]})
        c("POST", "/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "ui/upload.txt"}, data=b"from the UI")
        c("GET", "/api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
        c("GET", "/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "ui"})

        art = "/api/2.0/mlflow-artifacts/artifacts/{artifact_path}"
        prefix = f"{exp_id}/{run_id}/artifacts"
        c("PUT", art, path_params={"artifact_path": f"{prefix}/model/weights.bin"}, data=b"0123456789")
        c("PUT", art, path_params={"artifact_path": f"{prefix}/notes.txt"}, data=b"hello")
        c("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": prefix})
        c("GET", art, path_params={"artifact_path": f"{prefix}/model/weights.bin"})
        c("GET", art, path_params={"artifact_path": f"{prefix}/model/weights.bin"}, headers={"Range": "bytes=2-4"}, expect=206)
        c("GET", art, path_params={"artifact_path": f"{prefix}/model/weights.bin"}, headers={"Range": "bytes=50-60"}, expect=416)
        c("DELETE", art, path_params={"artifact_path": f"{prefix}/notes.txt"})

        rm = f"openapi-model-{suffix}"
        c("POST", "/api/2.0/mlflow/registered-models/create", body={"name": rm, "description": "d", "tags": [{"key": "k", "value": "v"}]})
        source = f"mlflow-artifacts:/{prefix}/model"
        for _ in range(2):
            c("POST", "/api/2.0/mlflow/model-versions/create", body={"name": rm, "source": source, "run_id": run_id, "description": "v", "tags": [{"key": "k", "value": "v"}]})
        c("POST", "/api/2.0/mlflow/registered-models/alias", body={"name": rm, "alias": "champion", "version": "1"})
        c("POST", "/api/2.0/mlflow/registered-models/set-tag", body={"name": rm, "key": "owner", "value": "ci"})
        c("POST", "/api/2.0/mlflow/model-versions/set-tag", body={"name": rm, "version": "1", "key": "k2", "value": "v2"})
        c("POST", "/api/2.0/mlflow/model-versions/transition-stage", body={"name": rm, "version": 2, "stage": "Staging", "archive_existing_versions": False})
        c("PATCH", "/api/2.0/mlflow/model-versions/update", body={"name": rm, "version": "1", "description": "new"})
        c("PATCH", "/api/2.0/mlflow/registered-models/update", body={"name": rm, "description": "new"})
        c("GET", "/api/2.0/mlflow/registered-models/get", params={"name": rm})
        c("GET", "/api/2.0/mlflow/registered-models/search", params={"filter": f"name = '{rm}'"})
        c("POST", "/api/2.0/mlflow/registered-models/get-latest-versions", body={"name": rm})
        c("GET", "/api/2.0/mlflow/registered-models/get-latest-versions", params={"name": rm, "stages": ["Staging", "None"]})
        c("GET", "/api/2.0/mlflow/registered-models/alias", params={"name": rm, "alias": "champion"})
        c("GET", "/api/2.0/mlflow/model-versions/get", params={"name": rm, "version": "1"})
        c("GET", "/api/2.0/mlflow/model-versions/search", params={"filter": f"name = '{rm}'"})
        c("GET", "/api/2.0/mlflow/model-versions/get-download-uri", params={"name": rm, "version": "1"})
        c("GET", "/api/cairn/v1/audit", params={"entity": f"registered_model:{rm}"})
        c("DELETE", "/api/2.0/mlflow/model-versions/delete-tag", body={"name": rm, "version": "1", "key": "k2"})
        c("DELETE", "/api/2.0/mlflow/registered-models/alias", body={"name": rm, "alias": "champion"})
        c("DELETE", "/api/2.0/mlflow/registered-models/delete-tag", body={"name": rm, "key": "owner"})
        c("DELETE", "/api/2.0/mlflow/model-versions/delete", body={"name": rm, "version": "2"})
        c("POST", "/api/2.0/mlflow/registered-models/rename", body={"name": rm, "new_name": rm + "-renamed"})

        token_name = f"openapi-{suffix}"
        c("POST", "/api/cairn/v1/tokens", body={"name": token_name, "scope": "write", "expires_at": 4102444800000, "allowed_targets": ["Staging"]})
        c("GET", "/api/cairn/v1/tokens")
        c("DELETE", "/api/cairn/v1/tokens/{name}", path_params={"name": token_name})
        c("GET", "/api/3.0/mlflow/server-info")
        c("POST", "/api/2.0/mlflow-artifacts/mpu/create/{artifact_path}", path_params={"artifact_path": "x.bin"}, body={"path": "x.bin", "num_parts": 2}, expect=501)


def fuzz(args, token: str, report_dir: Path) -> tuple[bool, str]:
    report_dir = report_dir.resolve()
    stats_path = report_dir / "responses.json"
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "cairn_fuzz_hooks", "CAIRN_FUZZ_STATS": str(stats_path),
           "PYTHONPATH": str(Path(__file__).resolve().parent)}
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(ROOT / "Tests/openapi/schemathesis.toml"),
        "run", str(DOCUMENT), "--url", args.url, "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS, "--max-examples", str(args.max_examples), "--workers", str(args.workers),
        # Valid and invalid data (negative mode) for bodies, query, path and the documented headers
        # (Range, X-Cairn-Signature, Idempotency-Key), NUL bytes in strings included.
        "--mode", "all", "--generation-allow-x00", "true",
        "--request-timeout", "30", "--report", "json,junit", "--report-dir", str(report_dir.resolve()), "--no-color",
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    shown = [part if token not in part else part.replace(token, "[token]") for part in command]
    print("$ SCHEMATHESIS_HOOKS=cairn_fuzz_hooks " + " ".join(shown), flush=True)
    started = time.monotonic()
    # cwd: schemathesis keeps a cache (.schemathesis/) in the working directory; keep it out of the tree.
    rc = subprocess.run(command, cwd=report_dir, env=env).returncode
    elapsed = time.monotonic() - started

    reports = sorted(report_dir.glob("json-*.json"))
    if not reports:
        return False, f"schemathesis exited {rc} without a JSON report"
    report = json.loads(reports[-1].read_text())
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else []
    requests_made = sum(row["count"] for row in stats)
    by_class = collections.Counter()
    operations = set()
    for row in stats:
        by_class[f"{row['status'] // 100}xx"] += row["count"]
        operations.add(row["operation"])
    ok_ops = {row["operation"] for row in stats if row["status"] in (200, 206)}
    documented = sum(1 for item in json.loads(DOCUMENT.read_text())["paths"].values() for _ in item)
    cases = report["test_cases"]
    lines = [
        f"schemathesis {report['schemathesis_version']}: {elapsed:.0f} s, exit {rc}, seed {report['seed']}",
        f"requests: {requests_made} ({', '.join(f'{k} {v}' for k, v in sorted(by_class.items()))}) over {len(operations)}/{documented} operations"
        f" ({len(ok_ops)} answered 200/206 at least once)",
        f"test cases: {cases['generated']} generated, {cases['with_failures']} with failures, {cases['errored']} errored;"
        f" failures: {sum(f['count'] for f in report['failures'])}, errors: {sum(e['count'] for e in report['errors'])}",
    ]
    problems = []
    if rc != 0 or report["failures"] or report["errors"]:
        problems.append("schemathesis reported failures or errors (see above)")
    if len(operations) < documented:
        problems.append(f"only {len(operations)} of {documented} operations were called")
    if requests_made < args.min_requests:
        problems.append(f"only {requests_made} requests (want >= {args.min_requests})")
    return not problems, "\n".join(lines + [f"FAIL: {p}" for p in problems])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--max-examples", type=int, default=15, help="per operation and phase (default 15)")
    parser.add_argument("--workers", type=int, default=1,
                        help="schemathesis workers (default 1: Python 3.11's ast.parse is not thread-safe and hypothesis calls it)")
    parser.add_argument("--min-requests", type=int, default=2000)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--report-dir", type=Path)
    parser.add_argument("--skip-fuzz", action="store_true", help="only the reachability and real-data checks")
    args = parser.parse_args()
    token = os.environ.get("CAIRN_FUZZ_TOKEN") or sys.exit("set CAIRN_FUZZ_TOKEN to an admin token")

    document = json.loads(DOCUMENT.read_text())
    checker = Checker(args.url, token, document)
    checker.reachability()
    checker.real_data()
    print(f"reachability and real-data conformance: {checker.validated} responses validated, {len(checker.problems)} problems")
    for problem in checker.problems:
        print(f"  FAIL: {problem}")
    ok = not checker.problems
    if not args.skip_fuzz:
        report_dir = (args.report_dir or Path(tempfile.mkdtemp(prefix="cairn-schemathesis-"))).resolve()
        report_dir.mkdir(parents=True, exist_ok=True)
        fuzz_ok, summary = fuzz(args, token, report_dir)
        print(summary)
        print(f"reports: {report_dir}")
        ok = ok and fuzz_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
