"""Schemathesis hooks of the fuzz run (loaded through SCHEMATHESIS_HOOKS=cairn_fuzz_hooks, with Tests/openapi on PYTHONPATH).

The run authenticates with the admin token the server seeds from CAIRN_ADMIN_TOKEN, named
`admin-env`. The stateful phase learns token names from `GET /api/cairn/v1/tokens` and would
revoke it, turning every later request into a 401; requests that would do so are pointed at a
name that does not exist instead (the server answers 404, which is still a checked response).
"""

import atexit
import collections
import json
import os
import threading

import schemathesis

PROTECTED_TOKEN = "admin-env"
REVOKE_PATH = "/api/cairn/v1/tokens/{name}"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.operation.path == REVOKE_PATH and (case.path_parameters or {}).get("name") == PROTECTED_TOKEN:
        case.path_parameters = {**case.path_parameters, "name": PROTECTED_TOKEN + "-not-revoked-by-the-fuzzer"}


# Every response the run received, by operation and status, written at exit to
# $CAIRN_FUZZ_STATS (JSON) so the runner can report real request totals.
_lock = threading.Lock()
_counts = collections.Counter()


@schemathesis.hook
def after_call(ctx, case, response):
    with _lock:
        _counts[(f"{case.operation.method.upper()} {case.operation.path}", response.status_code)] += 1


def _dump():
    path = os.environ.get("CAIRN_FUZZ_STATS")
    if path:
        with open(path, "w") as out:
            json.dump([{"operation": op, "status": status, "count": n} for (op, status), n in sorted(_counts.items())], out)


atexit.register(_dump)
