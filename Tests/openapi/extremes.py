#!/usr/bin/env python3
"""Fuzzes every route of a running Cairn with extreme values; the server must stay up and answer < 500.

    CAIRN_FUZZ_TOKEN=<admin token> Tests/openapi/extremes.py --url http://127.0.0.1:PORT \
        [--webhook-secret S] [--report FILE] [--budget-seconds 240]

Routes come from Sources/CairnServer/Resources/openapi.json (every path and method). First some
real data is created (experiments, runs, a logged model, registered models with versions,
artifacts, a token) so that requests carry real IDs and reach deeper code. Then, per operation:

* each query parameter and each JSON body field (top-level properties of the request schema, and
  the inner fields of nested objects/arrays inside a valid-looking skeleton with the real IDs),
  set to each value of an extremes list: int64 min/max/max+1, -1, 0, ±1e308, 1.5, "NaN",
  "Infinity", "-Infinity", the bare JSON literal NaN, "", a 100,000-character string (one letter
  repeated, and random letters, which PostgreSQL cannot compress into an index entry), invalid
  UTF-8 (raw bytes in the body, %ff in a query), NUL, null, true, [], {}, numbers as strings and
  more; query values are sent percent-encoded as given;
* each path parameter with those values (percent-encoded);
* whole bodies that are no JSON object (NaN, invalid UTF-8, 100,000-deep nesting, ...);
* headers: Range on artifact downloads, X-Cairn-Signature and Idempotency-Key on the promotion
  webhook (signed with --webhook-secret when given, so later checks are reached), Authorization
  (long, invalid Basic, no credential at all), odd Content-Types.

Requests go one at a time (so a crash is attributed to the request that caused it), each with a
timeout (a stalled request is a failure). After every --health-every requests and at the end,
GET /health must answer 200 "OK". A refused or reset connection with /health down reports the
last requests sent as the likely killer and stops. Every answer >= 500 is a failure, except 501
on /api/2.0/mlflow-artifacts/(mpu|presigned)/ (local artifact store, as schemathesis.toml
allows). Cases are ordered so that every operation gets the most important values first; the run
stops at --budget-seconds. Exit 0 when nothing failed, 1 otherwise.

Needs only `requests` (run it with the interpreter of .venv/openapi, scripts/openapi/env.sh).
Without CAIRN_FUZZ_TOKEN it assumes a server running with --auth none.
"""

from __future__ import annotations

import argparse
import base64
import collections
import copy
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import string
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "Sources/CairnServer/Resources/openapi.json"
ALLOWED_501 = re.compile(r"^/(ajax-)?api/2\.0/mlflow-artifacts/(mpu|presigned)/")
WEBHOOK = "/api/cairn/v1/webhooks/promote"
# The multi-MiB bodies go only to these (JSON bodies are capped at 16 MiB; one path per reader).
HUGE_BODY_OPS = {"/api/2.0/mlflow/runs/log-batch", "/api/2.0/mlflow/experiments/create", WEBHOOK}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
LONG = 100_000
# Random letters (the same in every run): unlike "x" * LONG, no compression makes them fit an index
# entry (PostgreSQL's B-tree holds ~2,700 bytes), so a stored key column too long for it shows.
RANDOM_LONG = "".join(random.Random(17).choices(string.ascii_letters + string.digits, k=LONG))


class Raw:
    """JSON text inserted verbatim into a body (NaN literal, invalid UTF-8, lone surrogates)."""

    def __init__(self, text: bytes):
        self.text = text


MISSING = object()

# (label, value) for JSON body fields. The first tier is what every field gets first.
JSON_EXTREMES_1 = [
    ("int64 min", INT64_MIN),
    ("int64 max", INT64_MAX),
    ("int64 max+1", INT64_MAX + 1),
    ("-1", -1),
    ("0", 0),
    ("1e308", 1e308),
    ("-1e308", -1e308),
    ("1.5", 1.5),
    ('"NaN"', "NaN"),
    ('"Infinity"', "Infinity"),
    ('"-Infinity"', "-Infinity"),
    ("NaN literal", Raw(b"NaN")),
    ('""', ""),
    ("100k string", "x" * LONG),
    ("100k random letters", RANDOM_LONG),
    ("invalid UTF-8", Raw(b'"\xff\xfe\xc3(x"')),
    ("NUL", "\u0000"),
    ("null", None),
    ("true", True),
    ("[]", []),
    ("{}", {}),
    ('"int64 max"', str(INT64_MAX)),
    ('"int64 min"', str(INT64_MIN)),
    ('"int64 max+1"', str(INT64_MAX + 1)),
]
JSON_EXTREMES_2 = [
    ("int64 min-1", INT64_MIN - 1),
    ("2^64", 2**64),
    ("int64 max+1 as double", Raw(b"9223372036854775808.0")),
    ("int64 max as exp", Raw(b"9.223372036854775807e18")),
    ("1e999 literal", Raw(b"1e999")),
    ("-1e999 literal", Raw(b"-1e999")),
    ("Infinity literal", Raw(b"Infinity")),
    ("-Infinity literal", Raw(b"-Infinity")),
    ("-0 literal", Raw(b"-0")),
    ("5e-324", 5e-324),
    ("-1.5", -1.5),
    ("false", False),
    ('"a\\u0000b"', "a\u0000b"),
    ("lone surrogate", Raw(b'"\\ud800"')),
    ("overlong UTF-8", Raw(b'"\xc0\xaf\xe0\x80\xaf"')),
    ("UTF-8 surrogate bytes", Raw(b'"\xed\xa0\x80"')),
    ('"2^64"', str(2**64)),
    ('"1e308"', "1e308"),
    ('"-1"', "-1"),
    ('"1.5"', "1.5"),
    ('" 1 "', " 1 "),
    ('"0x10"', "0x10"),
    ('"+1"', "+1"),
    ('"-0"', "-0"),
    ("non-ASCII", "ü ☃ 😀 \u202e"),
    ("100k non-ASCII", "é" * (LONG // 2)),
    ("path traversal", "../../../../etc/passwd"),
    ("SQL", "' OR '1'='1'; DROP TABLE runs; --"),
    ("format string", "%s%s%n%x{}{0}${x}"),
    ("[null]", [None]),
    ('{"": null}', {"": None}),
    ("100k-element array", [0] * LONG),
    ("nested 50", json.loads("[" * 50 + "]" * 50)),
]

# Query values, sent verbatim (already percent-encoded).
QUERY_EXTREMES_1 = [
    ("int64 min", str(INT64_MIN)),
    ("int64 max", str(INT64_MAX)),
    ("int64 max+1", str(INT64_MAX + 1)),
    ("-1", "-1"),
    ("0", "0"),
    ("1e308", "1e308"),
    ("-1e308", "-1e308"),
    ("1.5", "1.5"),
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ('""', ""),
    ("100k string", "x" * LONG),
    ("%ff", "%ff%fe"),
    ("%00", "%00"),
    ("null", "null"),
    ("true", "true"),
    ("[]", "%5B%5D"),
    ("{}", "%7B%7D"),
]
QUERY_EXTREMES_2 = [
    ("int64 min-1", str(INT64_MIN - 1)),
    ("2^64", str(2**64)),
    ("1e999", "1e999"),
    ("-0", "-0"),
    ("+1", "%2B1"),
    ("space 1", "+1+"),
    ("0x10", "0x10"),
    ("a%00b", "a%00b"),
    ("%c3%28", "%c3%28"),
    ("UTF-8 surrogate", "%ed%a0%80"),
    ("overlong", "%c0%af"),
    ("non-ASCII", "%C3%BC%E2%98%83%F0%9F%98%80"),
    ("path traversal", "..%2F..%2F..%2Fetc%2Fpasswd"),
    ("SQL", "%27%20OR%20%271%27%3D%271"),
    ("%25", "%25"),
    ("8k string", "y" * 8000),
    ("false", "false"),
    ("-1.5", "-1.5"),
]
# Path parameter values (one segment, percent-encoded).
PATH_EXTREMES = [
    ("int64 min", str(INT64_MIN)), ("int64 max", str(INT64_MAX)), ("int64 max+1", str(INT64_MAX + 1)),
    ("-1", "-1"), ("0", "0"), ("1e308", "1e308"), ("1.5", "1.5"), ("NaN", "NaN"), ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"), ("100k string", "x" * LONG), ("%ff", "%ff%fe"), ("%00", "%00"), ("a%00b", "a%00b"),
    ("null", "null"), ("true", "true"), ("[]", "%5B%5D"), ("{}", "%7B%7D"), ("%2F", "%2F"), ("%2e%2e", "%2e%2e"),
    ("..%2F..", "..%2F..%2Fetc%2Fpasswd"), ("space", "%20"), ("%c3%28", "%c3%28"), ("UTF-8 surrogate", "%ed%a0%80"),
    ("non-ASCII", "%C3%BC%E2%98%83"), ("8k string", "z" * 8000), ("2^64", str(2**64)), ("%25", "%25"),
]
# Whole bodies of a JSON operation that are not a JSON object.
BODY_EXTREMES = [
    ("body NaN", b"NaN"), ("body Infinity", b"Infinity"), ("body null", b"null"), ("body []", b"[]"), ("body true", b"true"),
    ('body ""', b'""'), ("body int64 min", str(INT64_MIN).encode()), ("body 1e999", b"1e999"), ("body empty", b""),
    ("body invalid UTF-8", b'{"\xff\xfe": "\xc3("}'), ("body raw bytes", bytes(range(256))),
    ("body NUL", b"\x00"), ("body truncated", b'{"a": '), ("body trailing", b"{} {}"), ("body BOM", b"\xef\xbb\xbf{}"),
    ("body UTF-16", "{}".encode("utf-16")), ("body 100k string", json.dumps("x" * LONG).encode()),
    ("body 100k-deep arrays", b"[" * LONG + b"]" * LONG), ("body 100k-deep objects", b'{"a":' * LONG + b"1" + b"}" * LONG),
    ("body 100k unclosed", b"[" * LONG), ("body 10k keys", json.dumps({f"k{i}": i for i in range(10_000)}).encode()),
    ("body 2 MiB of spaces", b" " * (2 << 20) + b"{}"), ("body 17 MiB", b'{"x": "' + b"a" * (17 << 20) + b'"}'),
]
RANGE_EXTREMES = [
    "bytes=-9223372036854775808", "bytes=9223372036854775807-", "bytes=0-18446744073709551616", "bytes=-0", "bytes=0-",
    "bytes=-1", "bytes=0-0", "bytes=9223372036854775807-9223372036854775807", "bytes=9223372036854775806-9223372036854775807",
    "bytes=0-9223372036854775807", "bytes=-9223372036854775807", "bytes=-18446744073709551616", "bytes=1-0", "bytes=--1",
    "bytes=-", "bytes=", "bytes=x-y", "bytes=0-1,2-3", "bytes=0-0," * 5000, "bytes=NaN-Infinity", "bytes=1e3-2e3",
    "bytes= 0-1", "bytes=0 - 1", "bytes=+1-+2", "bytes=-+1", "bytes=0-" + "9" * 1000, "bytes=" + "9" * 1000 + "-",
    "items=0-1", "BYTES=0-1", "bytes=\x00-1", "bytes=4-9223372036854775807", "bytes=9223372036854775808-",
]


def _now() -> int:
    return int(time.time())


@dataclass
class Case:
    op: str                      # "METHOD /template"
    method: str
    path: str                    # concrete, percent-encoded
    label: str                   # what was fuzzed and with which value
    query: str = ""              # raw query string (already encoded)
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    auth: bool = True
    sign: bool = False           # sign the body for the webhook at send time (needs --webhook-secret)
    idempotency: bool = False    # add a unique Idempotency-Key at send time


def encode_body(value) -> bytes:
    """JSON with Raw pieces inserted verbatim (ensure_ascii=False: non-ASCII goes as UTF-8)."""
    raws: list[bytes] = []

    def swap(v):
        if isinstance(v, Raw):
            raws.append(v.text)
            return f"@@cairn-raw-{len(raws) - 1}@@"
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return v

    text = json.dumps(swap(value), ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
    for i, raw in enumerate(raws):
        text = text.replace(f'"@@cairn-raw-{i}@@"'.encode(), raw, 1)
    return text


def set_at(obj, path: tuple, value):
    obj = copy.deepcopy(obj)
    target = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return obj


def short(data, limit=160) -> str:
    if data is None:
        return ""
    if isinstance(data, (bytes, bytearray)):
        text = repr(bytes(data[:limit]))[2:-1]
    else:
        text = repr(str(data)[:limit])[1:-1]
    size = len(data)
    return text + (f"... ({size} bytes)" if size > limit else "")


class Fuzzer:
    def __init__(self, args, document: dict):
        self.args, self.document = args, document
        self.url = args.url.rstrip("/")
        self.token = os.environ.get("CAIRN_FUZZ_TOKEN") or None
        self.secret = args.webhook_secret
        self.session = requests.Session()
        self.sent = 0
        self.statuses: collections.Counter = collections.Counter()
        self.per_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.failures: list[dict] = []
        self.recent: collections.deque = collections.deque(maxlen=8)
        self.since_health = 0
        self.started = time.monotonic()
        self.crash: dict | None = None
        self.ids: dict = {}
        self.key_counter = itertools.count()
        self.log: list[list] = []  # [op, label, status] of every case sent (for --report)

    # -- plumbing ---------------------------------------------------------------------------------

    def auth_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def api(self, method: str, path: str, body=None, params=None, data=None, expect=(200,)):
        """A setup call; returns the JSON answer or None (and prints why)."""
        response = self.session.request(method, self.url + path, json=body, params=params, data=data,
                                        headers=self.auth_headers(), timeout=self.args.timeout)
        if response.status_code not in expect:
            print(f"  setup: {method} {path} answered {response.status_code}: {response.text[:200]}")
            return None
        try:
            return response.json()
        except ValueError:
            return {}

    def health(self) -> tuple[bool, str]:
        for attempt in range(3):
            try:
                response = requests.get(self.url + "/health", timeout=10)
                if response.status_code == 200 and response.text.strip() == "OK":
                    return True, "200 OK"
                detail = f"{response.status_code} {response.text[:100]!r}"
            except requests.RequestException as error:
                detail = f"{type(error).__name__}: {str(error)[:200]}"
            time.sleep(0.5 * (attempt + 1))
        return False, detail

    def describe(self, case: Case, headers: dict) -> dict:
        secret = self.token if self.token and len(self.token) >= 8 else None
        shown = {k: ("[the fuzz token]" if secret and isinstance(v, str) and secret in v else short(v, 120)) for k, v in headers.items()}
        return {"method": case.method, "path": short(case.path, 200), "query": short(case.query, 200), "label": case.label,
                "op": case.op, "headers": shown, "body": short(case.body, 200)}

    def send(self, case: Case) -> None:
        headers = dict(self.auth_headers()) if case.auth else {}
        if case.body is not None and "Content-Type" not in case.headers and not case.path.startswith("/api/2.0/mlflow-artifacts/artifacts/"):
            headers["Content-Type"] = "application/json"
        headers.update(case.headers)
        body = case.body
        if case.sign and self.secret is not None:
            t = _now()
            mac = hmac.new(self.secret.encode(), f"{t}.".encode() + (body or b""), hashlib.sha256).hexdigest()
            headers["X-Cairn-Signature"] = f"t={t},v1={mac}"
        if case.idempotency and "Idempotency-Key" not in headers:
            headers["Idempotency-Key"] = f"extremes-{os.getpid()}-{next(self.key_counter)}"
        url = self.url + case.path + (("?" + case.query) if case.query else "")
        request = requests.Request(case.method, url, headers=headers, data=body)
        try:
            prepared = self.session.prepare_request(request)
        except (requests.RequestException, ValueError) as error:
            self.statuses["not sendable"] += 1
            print(f"  skipped (requests refuses to send it): {case.op} [{case.label}]: {error}")
            return
        prepared.url = url  # exactly as built: no requoting
        if body is None:
            prepared.headers.pop("Content-Length", None)
        described = self.describe(case, headers)
        self.recent.append(described)
        self.sent += 1
        self.since_health += 1
        try:
            response = self.session.send(prepared, timeout=self.args.timeout, allow_redirects=False)
            status = response.status_code
            text = response.text[:400]
        except requests.Timeout:
            self.log.append([case.op, case.label, "timeout"])
            self.statuses["timeout"] += 1
            self.per_op[case.op]["timeout"] += 1
            self.failures.append({**described, "status": "timeout", "response": f"no answer within {self.args.timeout} s"})
            self.session = requests.Session()
            return
        except requests.RequestException as error:
            self.session = requests.Session()
            alive, detail = self.health()
            self.log.append([case.op, case.label, "connection error"])
            if not alive:
                self.crash = {"after": described, "error": f"{type(error).__name__}: {str(error)[:300]}", "health": detail}
                return
            self.statuses["dropped"] += 1
            self.per_op[case.op]["dropped"] += 1
            self.failures.append({**described, "status": "dropped",
                                  "response": f"connection closed without an answer ({type(error).__name__}: {str(error)[:200]})"})
            return
        self.log.append([case.op, case.label, status])
        self.statuses[status] += 1
        self.per_op[case.op][status] += 1
        if status >= 500 and not (status == 501 and ALLOWED_501.match(case.path)):
            self.failures.append({**described, "status": status, "response": text})
        if self.since_health >= self.args.health_every:
            self.check_health()

    def check_health(self) -> None:
        self.since_health = 0
        alive, detail = self.health()
        if not alive:
            self.crash = {"after": self.recent[-1] if self.recent else None, "error": "GET /health failed", "health": detail}

    # -- real data --------------------------------------------------------------------------------

    def integrity(self) -> None:
        """The main data set is only read or added to by the cases: it must still be there."""
        main = self.ids["main"]
        checks = [
            ("GET", f"/api/2.0/mlflow-artifacts/artifacts/{main['prefix']}/extremes/weights.bin", None, lambda r: r.content == b"0123456789"),
            ("GET", "/api/2.0/mlflow/runs/get", {"run_id": main["run"]}, lambda r: r.json()["run"]["info"]["run_id"] == main["run"]),
            ("GET", "/api/2.0/mlflow/experiments/get", {"experiment_id": main["exp"]}, lambda r: "experiment" in r.json()),
            ("GET", "/api/2.0/mlflow/model-versions/get", {"name": main["rm"], "version": "1"}, lambda r: "model_version" in r.json()),
            ("GET", f"/api/2.0/mlflow/logged-models/{main['model_id']}", None, lambda r: "model" in r.json()),
        ]
        for method, path, params, good in checks:
            try:
                response = requests.request(method, self.url + path, params=params, headers=self.auth_headers(), timeout=self.args.timeout)
                ok = response.status_code == 200 and good(response)
                detail = f"{response.status_code} {response.text[:200]!r}"
            except (requests.RequestException, ValueError, KeyError, TypeError) as error:
                ok, detail = False, f"{type(error).__name__}: {error}"
            if not ok:
                self.failures.append({"method": method, "path": path, "query": urllib.parse.urlencode(params or {}), "label": "integrity: real data must survive the run",
                                      "op": f"{method} integrity", "headers": {}, "body": "", "status": "lost", "response": detail})

    def setup(self) -> bool:
        suffix = f"{int(time.time() * 1000)}-{os.getpid()}"
        ids = self.ids
        ids["suffix"] = suffix
        for role in ("main", "victim"):
            created = self.api("POST", "/api/2.0/mlflow/experiments/create", {"name": f"extremes-{role}-{suffix}"})
            if not created:
                return False
            exp = created["experiment_id"]
            run = self.api("POST", "/api/2.0/mlflow/runs/create", {"experiment_id": exp, "start_time": 1700000000000})
            if not run:
                return False
            run_id = run["run"]["info"]["run_id"]
            self.api("POST", "/api/2.0/mlflow/runs/log-batch", {
                "run_id": run_id, "metrics": [{"key": "loss", "value": v, "timestamp": 1700000000000 + i, "step": i}
                                              for i, v in enumerate([0.5, "NaN", "Infinity", 1e308])],
                "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "t", "value": "v"}]})
            model = self.api("POST", "/api/2.0/mlflow/logged-models", {"experiment_id": exp, "name": "extremes", "source_run_id": run_id})
            model_id = model["model"]["info"]["model_id"] if model else "m-extremes"
            self.api("PATCH", f"/api/2.0/mlflow/logged-models/{model_id}/tags", {"tags": [{"key": "c", "value": "d"}]})
            prefix = f"{exp}/{run_id}/artifacts"
            for name, data in (("extremes/weights.bin", b"0123456789"), ("extremes/empty.bin", b""), ("extremes/model/MLmodel", b"flavors: {}\n")):
                self.api("PUT", f"/api/2.0/mlflow-artifacts/artifacts/{prefix}/{name}", data=data)
            rm = f"extremes-{role}-{suffix}"
            self.api("POST", "/api/2.0/mlflow/registered-models/create", {"name": rm, "tags": [{"key": "k", "value": "v"}]})
            for _ in range(3):
                self.api("POST", "/api/2.0/mlflow/model-versions/create",
                         {"name": rm, "source": f"mlflow-artifacts:/{prefix}/extremes/model", "run_id": run_id})
            self.api("POST", "/api/2.0/mlflow/registered-models/alias", {"name": rm, "alias": "champion", "version": "1"})
            self.api("POST", "/api/2.0/mlflow/model-versions/set-tag", {"name": rm, "version": "1", "key": "k", "value": "v"})
            ids[role] = {"exp_name": f"extremes-{role}-{suffix}", "exp": exp, "run": run_id, "model_id": model_id, "prefix": prefix, "rm": rm}
        renamed = f"extremes-renamed-{suffix}"
        self.api("POST", "/api/2.0/mlflow/registered-models/create", {"name": renamed})
        ids["renamed"] = {**ids["main"], "rm": renamed}
        token_name = f"extremes-{suffix}"
        if self.token:
            self.api("POST", "/api/cairn/v1/tokens", {"name": token_name, "scope": "read"})
        ids["token"] = token_name
        print(f"setup: experiments {ids['main']['exp']}, {ids['victim']['exp']}; runs {ids['main']['run']}, {ids['victim']['run']};"
              f" registered models {ids['main']['rm']}, {ids['victim']['rm']}")
        return True

    # -- case generation --------------------------------------------------------------------------

    def resolve(self, schema: dict | None) -> dict:
        schema = schema or {}
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema

    def shape(self, schema: dict) -> dict:
        """The object/array/scalar alternative of a schema that is anyOf/oneOf."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(o) for o in schema[key]]
                for wanted in ("object", "array"):
                    for option in options:
                        if option.get("type") == wanted:
                            return option
                return options[0]
        return schema

    def role(self, path: str) -> str:
        """Which data set an operation works on: the deleting ones get their own, renames another."""
        if path.endswith("registered-models/rename"):
            return "renamed"
        destructive = ("experiments/delete", "experiments/restore", "runs/delete", "runs/restore", "registered-models/delete",
                       "model-versions/delete")
        return "victim" if any(path.endswith(d) for d in destructive) else "main"

    def hint(self, name: str, path: str, method: str, parent: str | None = None):
        """A realistic value for a field or parameter named `name` of operation `method path`."""
        ids = self.ids[self.role(path)]
        registry = "registered-models" in path or "model-versions" in path
        suffix = self.ids["suffix"]
        table = {
            "experiment_id": ids["exp"], "experiment_ids": [ids["exp"]],
            "run_id": ids["run"], "run_ids": [ids["run"]], "source_run_id": ids["run"], "experiment_name": ids["exp_name"],
            "archive_existing_versions": False,
            "model_id": ids["model_id"], "key": "extremes-key", "value": "v", "metric_key": "loss",
            "timestamp": 1700000000000, "step": 1, "start_time": 1700000000000, "end_time": 1700000001000,
            "version": "1", "stage": "Staging", "stages": ["Staging", "None"],
            "source": f"mlflow-artifacts:/{ids['prefix']}/extremes/model", "target": "prod", "max_results": 10,
            "description": "d", "entity": f"registered_model:{ids['rm']}", "view_type": "ALL",
            "num_parts": 2, "dry_run": True, "scope": "read", "expires_at": 4102444800000, "allowed_targets": ["prod"],
            "new_name": f"extremes-renamed-{suffix}", "path": ids["prefix"], "tag_key": "c",
        }
        if name == "name":
            if registry:
                return ids["rm"]
            if "experiments/create" in path:
                return f"extremes-exp-{suffix}"
            if "tokens" in path:
                return f"extremes-tok-{suffix}"
            if "logged-models" in path:
                return "extremes"
            return f"extremes-{suffix}"
        if name == "value" and (parent == "metrics" or path.endswith("/log-metric")):
            return 0.5
        if name == "alias" and registry:
            return "champion"
        if name == "model" and "cairn" in path:
            return ids["rm"]
        if name == "new_name" and registry:
            return f"{ids['rm']}-renamed"
        if name == "new_name":
            return ids["exp_name"]  # experiments/update: keep the name (get-by-name uses it)
        return table.get(name, MISSING)

    def skeleton(self, schema: dict, path: str, method: str, depth: int = 0, parent: str | None = None):
        """A valid-looking value for `schema`: required fields and fields with a hint."""
        schema = self.shape(schema)
        kind = schema.get("type")
        if "enum" in schema:
            return schema["enum"][0]
        if kind == "object" or "properties" in schema:
            out = {}
            required = set(schema.get("required", []))
            for prop, sub in schema.get("properties", {}).items():
                value = self.hint(prop, path, method, parent)
                inner = self.shape(sub)
                nested = inner.get("properties") or (inner.get("type") == "array" and self.shape(inner.get("items", {})).get("properties"))
                if value is MISSING and (prop in required or (nested and depth < 3)):
                    value = self.skeleton(sub, path, method, depth + 1, prop)
                if value is not MISSING:
                    out[prop] = value
            return out
        if kind == "array":
            return [self.skeleton(schema.get("items", {}), path, method, depth + 1, parent)] if depth < 4 else []
        return {"integer": 1, "number": 1.5, "boolean": False, "string": "extremes"}.get(kind, "extremes")

    def field_paths(self, schema: dict, prefix: tuple, skeleton, depth: int = 0):
        """(path into the body, needs-skeleton-container) for every property, nested ones inside the skeleton."""
        schema = self.shape(schema)
        for prop, sub in schema.get("properties", {}).items():
            here = prefix + (prop,)
            yield here
            if depth >= 3:
                continue
            inner = self.shape(sub)
            if inner.get("type") == "array" and self.shape(inner.get("items", {})).get("properties"):
                container = _get(skeleton, here)
                if isinstance(container, list) and container and isinstance(container[0], dict):
                    yield from self.field_paths(inner["items"], here + (0,), skeleton, depth + 1)
            elif inner.get("properties"):
                if isinstance(_get(skeleton, here), dict):
                    yield from self.field_paths(inner, here, skeleton, depth + 1)

    def concrete_path(self, template: str, method: str, overrides: dict | None = None) -> str:
        ids = self.ids["victim"] if method == "DELETE" and template.endswith("{model_id}") else self.ids["main"]
        defaults = {
            "artifact_path": f"{self.ids['main']['prefix']}/extremes/weights.bin" if method == "GET"
            else f"{self.ids['main']['prefix']}/extremes/fuzz.bin",
            "model_id": ids["model_id"], "tag_key": "c", "id": "d-extremes", "name": "prod",
        }
        if template.startswith("/api/cairn/v1/tokens/"):
            defaults["name"] = self.ids["token"]
        if "/mpu/" in template or "/presigned/" in template:
            defaults["artifact_path"] = f"{self.ids['main']['prefix']}/extremes/mpu.bin"
        values = {**defaults, **(overrides or {})}
        out = template
        for name, value in values.items():
            out = out.replace("{" + name + "}", value if overrides and name in overrides
                              else urllib.parse.quote(value, safe="/"))
        return out

    def cases_for(self, template: str, method: str, operation: dict) -> list[list[Case]]:
        """The cases of one operation, by priority tier (0 first)."""
        op = f"{method} {template}"
        tiers: list[list[Case]] = [[], [], [], [], []]
        params = operation.get("parameters", [])
        query_params = [p for p in params if p.get("in") == "query"]
        path_params = [p["name"] for p in params if p.get("in") == "path"]
        content = operation.get("requestBody", {}).get("content", {})
        json_schema = content.get("application/json", {}).get("schema")
        octet = "application/octet-stream" in content
        webhook = template == WEBHOOK
        path = self.concrete_path(template, method)

        # query skeleton: required params and hinted ones
        base_query: list[tuple[str, str]] = []
        for p in query_params:
            value = self.hint(p["name"], template, method)
            if value is MISSING and p.get("required"):
                value = "extremes"
            if value is MISSING:
                continue
            for item in (value if isinstance(value, list) else [value]):
                base_query.append((p["name"], urllib.parse.quote(str(item), safe="")))

        def qs(pairs):
            return "&".join(f"{k}={v}" if v is not None else k for k, v in pairs)

        body_skeleton = self.skeleton(json_schema, template, method) if json_schema else None
        base_body = encode_body(body_skeleton) if json_schema else (b"extremes" if octet else None)

        def case(label, tier, **kw):
            kw.setdefault("query", qs(base_query))
            kw.setdefault("body", base_body)
            kw.setdefault("path", path)
            kw.setdefault("sign", webhook)
            kw.setdefault("idempotency", webhook)
            kw.setdefault("auth", not webhook)  # the webhook is authenticated by its signature alone
            tiers[tier].append(Case(op=op, method=method, label=label, **kw))

        case("baseline (real IDs)", 0)

        # query parameters
        for p in query_params:
            name = p["name"]
            rest = [(k, v) for k, v in base_query if k != name]
            for tier, values in ((2, QUERY_EXTREMES_1), (4, QUERY_EXTREMES_2)):
                for label, value in values:
                    case(f"query {name}={label}", tier, query=qs(rest + [(name, value)]))
            if name == "path" and "mlflow-artifacts" in template:
                for label, value in (("below a file", f"{self.ids['main']['prefix']}/extremes/weights.bin/child"),
                                     ("a file", f"{self.ids['main']['prefix']}/extremes/weights.bin"), ("root", "")):
                    case(f"query {name}={label}", 2, query=qs(rest + [(name, urllib.parse.quote(value, safe=""))]))
            case(f"query {name} without '='", 3, query=qs(rest + [(name, None)]))
            case(f"query {name} twice", 3, query=qs(rest + [(name, "1"), (name, str(INT64_MIN))]))
            if self.shape(p.get("schema", {})).get("type") == "array":
                case(f"query {name} x1000", 3, query=qs(rest + [(name, str(i)) for i in range(1000)]))
                real = self.hint(name, template, method)
                real = real[0] if isinstance(real, list) and real else "x"
                case(f"query {name} x101 real", 3, query=qs(rest + [(name, urllib.parse.quote(str(real), safe=""))] * 101))
        if query_params:
            case("query all int64 min", 3, query=qs([(p["name"], str(INT64_MIN)) for p in query_params]))
            case("query all 100k", 3, query=qs([(p["name"], "q" * (LONG // max(1, len(query_params)))) for p in query_params]))
            case("query malformed %", 3, query="%zz=%&&=&==" + ("&" + qs(base_query) if base_query else ""))

        # path parameters
        for name in path_params:
            for i, (label, value) in enumerate(PATH_EXTREMES):
                tier = 2 if i < 18 else 4
                case(f"path {name}={label}", tier, path=self.concrete_path(template, method, {name: value}))
            if name == "artifact_path":
                # writes and deletes go to the victim's tree: the GETs below need the main one intact
                owner = self.ids["main" if method == "GET" else "victim"]
                prefix = owner["prefix"]
                for label, value in (("real prefix + %00", f"{prefix}/a%00b"), ("real prefix + %ff", f"{prefix}/%ff"),
                                     ("real prefix + 100k", f"{prefix}/" + "x" * LONG),
                                     ("real prefix + deep", f"{prefix}/" + "/".join(["d"] * 2000)),
                                     ("real prefix + %2e%2e", f"{prefix}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc"),
                                     ("real directory", f"{prefix}/extremes"), ("real empty file", f"{prefix}/extremes/empty.bin"),
                                     ("below a file", f"{prefix}/extremes/weights.bin/child"),
                                     ("experiment only", owner["exp"]), ("// ", f"{prefix}//extremes///weights.bin")):
                    case(f"path {name}={label}", 2, path=self.concrete_path(template, method, {name: value}))

        # JSON body fields
        if json_schema:
            resolved = self.shape(json_schema)
            paths = list(self.field_paths(resolved, (), body_skeleton))
            for body_path in paths:
                where = ".".join(map(str, body_path))
                for tier, values in ((2, JSON_EXTREMES_1), (4, JSON_EXTREMES_2)):
                    for label, value in values:
                        case(f"body {where}={label}", tier, body=encode_body(set_at(body_skeleton, body_path, value)))
                if len(body_path) == 1:
                    for label, value in JSON_EXTREMES_1[:14]:
                        case(f"bare body {where}={label}", 4, body=encode_body({body_path[0]: value}))
            for label, raw in BODY_EXTREMES:
                if "MiB" in label and template not in HUGE_BODY_OPS:
                    continue
                case(label, 2 if label in ("body NaN", "body invalid UTF-8", "body 100k-deep arrays", "body 100k-deep objects") else 3, body=raw)
            case("duplicate keys", 3, body=base_body[:-1] + b', "run_id": "x", "name": "y", "experiment_id": "-1"}'
                 if base_body and base_body.endswith(b"}") and base_body != b"{}" else b'{"a": 1, "a": 2}')
            for label, ctype in (("Content-Type text/plain", "text/plain"), ("Content-Type utf-16", "application/json; charset=utf-16"),
                                 ("Content-Type form", "application/x-www-form-urlencoded"), ("Content-Type multipart", "multipart/form-data; boundary="),
                                 ("Content-Type empty", ""), ("Content-Type bytes", b"application/json; charset=\xff"),
                                 ("Content-Type long", "application/json; x=" + "a" * 8000), ("Content-Type */*", "*/*")):
                case(label, 3, headers={"Content-Type": ctype})
        if octet:
            for label, raw in (("octet empty", b""), ("octet invalid UTF-8", bytes(range(256)) * 4), ("octet 4 MiB", b"\x00" * (4 << 20))):
                case(label, 2, body=raw)
            case("octet with Content-Type json", 3, body=b"NaN", headers={"Content-Type": "application/json"})

        # Range on downloads (a file, an empty file, a missing one, a directory)
        if method == "GET" and template.endswith("{artifact_path}") and "presigned" not in template:
            prefix = self.ids["main"]["prefix"]
            for target in ("weights.bin", "empty.bin", "missing.bin", ""):
                concrete = self.concrete_path(template, method, {"artifact_path": f"{prefix}/extremes/{target}"})
                for value in RANGE_EXTREMES:
                    case(f"Range {value[:60]!r} on {target or 'directory'}", 1, path=concrete, headers={"Range": value})
        elif method == "GET":
            for value in RANGE_EXTREMES[:3]:
                case(f"Range {value!r}", 4, headers={"Range": value})

        # the webhook: signature and idempotency key
        if webhook:
            body = encode_body({"model": self.ids["main"]["rm"], "alias": "champion", "target": "prod"})
            now = _now()
            signatures = [
                "t=-9223372036854775808,v1=00", "t=9223372036854775807,v1=00", "t=-9223372036854775807,v1=00",
                "t=9223372036854775808,v1=00", f"t={now},v1=00", f"t={now - 301},v1=00", "t=,v1=", "t=NaN,v1=00",
                "t=Infinity,v1=00", "t=-0,v1=00", "t=+1,v1=00", "t=1e9,v1=00", "t=0x10,v1=00", "t=0,v1=00", "t=-1,v1=00",
                "v1=00", "t=1", "t", ",,,,", "=", "t==,v1==", f"t={now},v1=" + "0" * 64 * 1000,
                f"t={now}," + ",".join(["v1=00"] * 5000), "t=" + "9" * 5000 + ",v1=00", f"t={now},v1=" + "ff" * 32,
                f"t={now},v1=" + "ZZ" * 32, f"t={now},t=-9223372036854775808,v1=00", f"t=-9223372036854775808,t={now},v1=00",
                "t = -9223372036854775808 , v1 = 00", "t=\x00,v1=\x00", b"t=\xff\xfe,v1=\xff", "x" * LONG,
            ]
            for value in signatures:
                case(f"X-Cairn-Signature {short(value, 60)}", 1, body=body, sign=False, headers={"X-Cairn-Signature": value})
            keys = ["", "a b ", "\x00", "a\x00b", "a\tb", "k" * 255, "k" * 256, "k" * LONG, "ключ".encode(), b"\xff\xfe", "é",
                    "-9223372036854775808", "NaN", "%00"]
            for i, value in enumerate(keys):
                # a nonce per body: a signature is accepted once, and these are signed within one second
                unique = encode_body({"model": self.ids["main"]["rm"], "alias": "champion", "target": "prod", "extremes_nonce": i})
                case(f"Idempotency-Key {short(value, 40)}", 1, body=unique, idempotency=False, headers={"Idempotency-Key": value})
            case("Idempotency-Key reused, same body", 3, body=body, idempotency=False, headers={"Idempotency-Key": "extremes-reused"})
            case("Idempotency-Key reused, same body (replay)", 3, body=body, idempotency=False, headers={"Idempotency-Key": "extremes-reused"})
            case("Idempotency-Key reused, other body", 3, body=body + b" ", idempotency=False, headers={"Idempotency-Key": "extremes-reused"})
            case("unsigned", 3, sign=False)

        # credentials: odd Authorization headers and none at all
        auth_values = [
            ("no credential", None), ("Bearer 100k", "Bearer " + "t" * LONG), ("Bearer empty", "Bearer "), ("Bearer", "Bearer"),
            ("Basic invalid base64", "Basic !!!not-base64!!!"), ("Basic no colon", "Basic " + base64.b64encode(b"nocolon").decode()),
            ("Basic invalid UTF-8", "Basic " + base64.b64encode(b"\xff\xfe:\xff\xfe").decode()),
            ("Basic 100k", "Basic " + base64.b64encode(b"u:" + b"p" * LONG).decode()), ("Basic ====", "Basic " + "=" * 1000),
            ("Basic NUL", "Basic " + base64.b64encode(b"\x00:\x00").decode()), ("bearer non-ASCII bytes", b"Bearer \xff\xfe\xc3("),
            ("Bearer NUL", "Bearer \x00"), ("Negotiate", "Negotiate xyz"), ("Bearer int64 min", f"Bearer {INT64_MIN}"),
        ]
        if self.token:
            auth_values.append(("Basic with the token", "Basic " + base64.b64encode(f"user:{self.token}".encode()).decode()))
        for i, (label, value) in enumerate(auth_values):
            headers = {} if value is None else {"Authorization": value}
            case(f"Authorization {label}", 3 if i < 4 else 4, auth=False, headers=headers)
        # unauthenticated extremes (the auth check runs before decoding)
        first = (query_params[0]["name"] if query_params else None)
        for label, value in QUERY_EXTREMES_1[:3] + [("100k string", "x" * LONG), ("%ff", "%ff")]:
            if first:
                case(f"unauthenticated query {first}={label}", 3, auth=False,
                     query=qs([(k, v) for k, v in base_query if k != first] + [(first, value)]))
            elif json_schema:
                case(f"unauthenticated body NaN/{label}", 3, auth=False, body=b"NaN")
        return tiers

    def all_cases(self) -> list[Case]:
        per_op = []
        for template, item in self.document["paths"].items():
            for method, operation in item.items():
                if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    continue
                per_op.append(self.cases_for(template, method.upper(), operation))
        ordered = []
        for tier in range(5):
            lists = [tiers[tier] for tiers in per_op]
            for group in itertools.zip_longest(*lists):
                ordered.extend(c for c in group if c is not None)
        return ordered

    # -- run --------------------------------------------------------------------------------------

    def run(self) -> int:
        alive, detail = self.health()
        if not alive:
            print(f"FAIL: GET /health before fuzzing: {detail}")
            return 1
        if not self.setup():
            print("FAIL: could not create the real data (is CAIRN_FUZZ_TOKEN an admin token of this server?)")
            return 1
        cases = self.all_cases()
        if self.args.exclude:
            pattern = re.compile(self.args.exclude)
            cases = [c for c in cases if not pattern.search(f"{c.op} {c.label}")]
        operations = {c.op for c in cases}
        print(f"{len(cases)} cases over {len(operations)} operations; budget {self.args.budget_seconds} s", flush=True)
        deadline = self.started + self.args.budget_seconds
        done_ops = set()
        stopped_early = False
        for i, case in enumerate(cases):
            if time.monotonic() > deadline:
                stopped_early = True
                break
            self.send(case)
            done_ops.add(case.op)
            if self.crash:
                break
            if self.args.progress and i and i % self.args.progress == 0:
                print(f"  {i}/{len(cases)} sent, {time.monotonic() - self.started:.0f} s, {len(self.failures)} failures", flush=True)
        if not self.crash:
            self.check_health()
        if not self.crash:
            self.integrity()
        return self.summary(len(cases), len(operations), done_ops, stopped_early)

    def summary(self, total: int, operations: int, done_ops: set, stopped_early: bool) -> int:
        elapsed = time.monotonic() - self.started
        lines = [f"extremes: {self.sent} requests in {elapsed:.0f} s ({self.sent / max(elapsed, 0.001):.0f}/s) over"
                 f" {len(done_ops)}/{operations} operations; {total - self.sent} of {total} cases not sent"
                 + (" (budget reached)" if stopped_early else ""),
                 "statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0])))]
        if self.crash:
            lines.append(f"FAIL: the server went down ({self.crash['error']}; GET /health: {self.crash['health']}).")
            recent = list(self.recent)
            lines.append("  likely killer (the last request sent): " + json.dumps(recent[-1] if recent else None, ensure_ascii=True))
            lines.append("  the requests before it, oldest first:")
            for entry in recent[:-1]:
                lines.append("    " + json.dumps(entry, ensure_ascii=True))
        if self.failures:
            groups: dict[tuple, list[dict]] = {}
            for entry in self.failures:
                reason = re.sub(r"[0-9a-f]{16,}|\d{3,}", "#", str(entry["response"]))[:90]
                groups.setdefault((entry["op"], str(entry["status"]), reason), []).append(entry)
            lines.append(f"FAIL: {len(self.failures)} answers >= 500, stalled, dropped requests or lost data, in {len(groups)} groups"
                         " (operation, status, answer); the first request of each:")
            for (op, status, _), entries in list(groups.items())[:40]:
                entry = entries[0]
                lines.append(f"  {status} x{len(entries)} {op}: {entry['method']} {entry['path']}{'?' + entry['query'] if entry['query'] else ''}"
                             f" [{entry['label']}] headers={json.dumps(entry['headers'], ensure_ascii=True)}"
                             f" body={entry['body']!r} -> {str(entry['response'])[:200]!r}")
            if len(groups) > 40:
                lines.append(f"  ... and {len(groups) - 40} more groups (see --report)")
        ok = not self.crash and not self.failures
        lines.append("extremes: OK" if ok else "extremes: FAILED")
        print("\n".join(lines), flush=True)
        if self.args.report:
            report = {"ok": ok, "requests": self.sent, "cases": total, "seconds": round(elapsed, 1),
                      "statuses": {str(k): v for k, v in self.statuses.items()},
                      "per_operation": {op: {str(k): v for k, v in c.items()} for op, c in self.per_op.items()},
                      "crash": self.crash and {**self.crash, "last_requests": list(self.recent)},
                      "failures": self.failures, "cases_sent": self.log}
            Path(self.args.report).write_text(json.dumps(report, indent=1, ensure_ascii=True))
        return 0 if ok else 1


def _get(obj, path):
    for step in path:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return None
    return obj


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--webhook-secret", help="the server's CAIRN_WEBHOOK_SECRET: webhook bodies are signed with it")
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--budget-seconds", type=float, default=240)
    parser.add_argument("--timeout", type=float, default=20, help="per request, seconds (default 20)")
    parser.add_argument("--health-every", type=int, default=25, help="GET /health after this many requests (default 25)")
    parser.add_argument("--exclude", help="skip cases whose 'METHOD /template label' matches this regex (to look past a known crash)")
    parser.add_argument("--progress", type=int, default=2000, help="print progress every N requests (0: never)")
    args = parser.parse_args()
    document = json.loads(DOCUMENT.read_text())
    return Fuzzer(args, document).run()


if __name__ == "__main__":
    sys.exit(main())
