#!/usr/bin/env python3
"""A statement that cannot finish ends at the statement timeout, and shutdown is not held by it.

    tests/hardening/runaway_statement.py --cairn-bin .build/debug/cairn --database-url postgres://... \
        --psql /usr/lib/postgresql/15/bin/psql --port PORT

Starts `cairn serve --statement-timeout 2s` on the (empty) PostgreSQL database, creates a run,
then makes every query on `runs` stall the honest way: another session holds an ACCESS EXCLUSIVE
lock on the table (as a long migration or a runaway query would), which PostgreSQL's
`statement_timeout` counts like any other wait. Checks that:

1. a `runs/search` comes back within a few seconds as a 400 that names the statement timeout
   (not a 5xx, not a hang), and the server still answers `/health`;
2. with another search stalled in flight, SIGTERM stops the server within the timeout plus a few
   seconds, with exit status 0.

Needs only the standard library.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 2


def call(base: str, method: str, path: str, body: dict | None = None, timeout: float = 30) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError as error:  # a timeout or a dropped connection: no answer at all
        return 0, {"error": str(error)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cairn-bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", default="runaway-server.log")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    problems: list[str] = []

    log = open(args.log, "w")
    server = subprocess.Popen(
        [args.cairn_bin, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--database-url", args.database_url,
         "--artifacts-uri", args.log + ".artifacts", "--statement-timeout", f"{TIMEOUT_SECONDS}s"],
        stdout=log, stderr=subprocess.STDOUT)
    holder = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as response:
                    if response.read() == b"OK":
                        break
            except OSError:
                time.sleep(0.2)
        else:
            print("FAIL: cairn serve did not answer /health within 30 s")
            return 1
        status, created = call(base, "POST", "/api/2.0/mlflow/runs/create", {"experiment_id": "0", "start_time": 1})
        assert status == 200, created

        # The lock holder: BEGIN; LOCK runs; sleep 60 s. Every statement touching runs now waits.
        holder = subprocess.Popen(
            [args.psql, args.database_url, "-v", "ON_ERROR_STOP=1", "-c",
             "BEGIN; LOCK TABLE runs IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)

        search = {"experiment_ids": ["0"], "filter": "attributes.status = 'RUNNING'"}
        started = time.monotonic()
        status, answer = call(base, "POST", "/api/2.0/mlflow/runs/search", search)
        elapsed = time.monotonic() - started
        print(f"stalled search: {status} after {elapsed:.1f} s: {answer}")
        if status != 400 or "statement timeout" not in answer.get("message", ""):
            problems.append(f"the stalled search answered {status} {answer}, not a 400 naming the statement timeout")
        if elapsed > TIMEOUT_SECONDS + 4:
            problems.append(f"the stalled search took {elapsed:.1f} s with a {TIMEOUT_SECONDS} s timeout")
        with urllib.request.urlopen(base + "/health", timeout=5) as response:
            if response.read() != b"OK":
                problems.append("/health did not answer OK after the timeout")

        # Shutdown with a stalled search in flight.
        in_flight: dict = {}
        thread = threading.Thread(target=lambda: in_flight.update(result=call(base, "POST", "/api/2.0/mlflow/runs/search", search)))
        thread.start()
        time.sleep(0.5)
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=TIMEOUT_SECONDS + 13)
        except subprocess.TimeoutExpired:
            problems.append(f"SIGTERM did not stop the server within {TIMEOUT_SECONDS + 13} s while a statement was stalled")
            server.kill()
            code = server.wait()
        took = time.monotonic() - stopping
        thread.join(timeout=10)
        print(f"SIGTERM with a stalled search in flight: exit {code} after {took:.1f} s; the search got {in_flight.get('result')}")
        if code != 0:
            problems.append(f"the server exited {code} on SIGTERM")
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()

    for problem in problems:
        print(f"FAIL: {problem}")
    print("runaway statement: OK" if not problems else "runaway statement: FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
