#!/usr/bin/env python3
"""A statement that cannot finish ends at the statement timeout, and shutdown is not held by it.

    Tests/hardening/runaway_statement.py --cairn-bin .build/debug/cairn --database-url postgres://... \
        --psql /usr/lib/postgresql/15/bin/psql --port PORT

Starts `cairn serve --statement-timeout 2s` on the (empty) PostgreSQL database, creates a run,
then makes every query on `runs` stall the honest way: another session holds an ACCESS EXCLUSIVE
lock on the table (as a long migration or a runaway query would), which PostgreSQL's
`statement_timeout` counts like any other wait. Checks that:

1. a `runs/search` comes back within a few seconds as a 400 that names the statement timeout
   (not a 5xx, not a hang), and the server still answers `/health`;
2. with another search stalled in flight, SIGTERM stops the server within the timeout plus a few
   seconds, with exit status 0;
3. on a server with a long timeout (60 s), a stalled search whose client disconnects is gone from
   PostgreSQL (`pg_stat_activity`) within a few seconds, not at the timeout, and the server keeps
   serving (searches work again once the lock is released).

Needs only the standard library.
"""

from __future__ import annotations

import argparse
import json
import socket
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
    server = start(args, log, TIMEOUT_SECONDS)
    holder = None
    try:
        if not healthy(base):
            print("FAIL: cairn serve did not answer /health within 30 s")
            return 1
        status, created = call(base, "POST", "/api/2.0/mlflow/runs/create", {"experiment_id": "0", "start_time": 1})
        assert status == 200, created

        holder = lock_runs(args)

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
        release(args, holder)

        # A client that leaves: its statement must not run on to a 60 s timeout.
        server = start(args, log, 60)
        if not healthy(base):
            problems.append("the second server did not start")
            return finish(problems)
        holder = lock_runs(args)
        body = json.dumps(search).encode()
        client = socket.create_connection(("127.0.0.1", args.port))
        client.sendall(b"POST /api/2.0/mlflow/runs/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(1.0)
        before = stalled(args)
        client.close()
        left = time.monotonic()
        while stalled(args) > 0 and time.monotonic() - left < 15:
            time.sleep(0.2)
        gone_after = time.monotonic() - left
        print(f"client disconnect: {before} stalled statement(s) before; gone {gone_after:.1f} s after the client left")
        if before < 1:
            problems.append("the disconnect check saw no stalled statement to begin with")
        elif gone_after > 6:
            problems.append(f"the statement of a departed client still ran {gone_after:.1f} s later (timeout 60 s)")
        release(args, holder)
        status, answer = call(base, "POST", "/api/2.0/mlflow/runs/search", search)
        if status != 200:
            problems.append(f"after the disconnect a search answered {status} {answer}")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    finally:
        if holder is not None:
            release(args, holder)
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()

    return finish(problems)


def start(args, log, timeout_seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        [args.cairn_bin, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--database-url", args.database_url,
         "--artifacts-uri", args.log + ".artifacts", "--statement-timeout", f"{timeout_seconds}s"],
        stdout=log, stderr=subprocess.STDOUT)


def healthy(base: str) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.read() == b"OK":
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def lock_runs(args) -> subprocess.Popen:
    """Another session: BEGIN; LOCK runs; sleep 60 s. Every statement touching runs now waits."""
    holder = subprocess.Popen(
        [args.psql, args.database_url, "-v", "ON_ERROR_STOP=1", "-c",
         "BEGIN; LOCK TABLE runs IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return holder


def release(args, holder: subprocess.Popen) -> None:
    """Ends the lock holder's session (killing psql alone would leave its backend asleep)."""
    subprocess.run([args.psql, args.database_url, "-At", "-c",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE runs%' AND pid <> pg_backend_pid()"],
                   capture_output=True, check=False)
    holder.kill()
    holder.wait()


def stalled(args) -> int:
    """Statements of other sessions waiting on the runs lock (Cairn's search)."""
    out = subprocess.run(
        [args.psql, args.database_url, "-At", "-c",
         "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=True).stdout.strip()
    return int(out or 0)


def finish(problems: list[str]) -> int:
    for problem in problems:
        print(f"FAIL: {problem}")
    print("runaway statement: OK" if not problems else "runaway statement: FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
