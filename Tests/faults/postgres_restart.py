#!/usr/bin/env python3
"""PostgreSQL stopped mid-load (fast, then immediate shutdown) and started again: Cairn answers
503 while it is gone, serves again within 5 s of its return, and loses no acknowledged point.

    Tests/faults/postgres_restart.py --cairn-bin .build/debug/cairn --database-url postgres://... \
        --pg-ctl /usr/lib/postgresql/15/bin/pg_ctl --pg-data DATA_DIR --psql /usr/lib/postgresql/15/bin/psql --log-dir DIR

The cluster must be the throwaway one of scripts/lib/postgres.sh: the script stops it with
`pg_ctl -m fast stop` (then `-m immediate`), keeps it down 8 s and starts it with the same command
line it had (the database gets synchronous_commit=on: see durable_commits). One `cairn serve` meanwhile takes `runs/log-batch` from four writer threads (20
points per batch, each with its own (key, step)); a batch that is not acknowledged is sent again
every 0.2 s until it is (up to 40 s). Probes read /readyz (two) and /livez every 0.25 s. Checks, for
each mode:

1. every answer is 200 or 503 with Retry-After: never a 500, never no answer, never slower than
   6.5 s (a pooled connection is waited for at most 5 s); /readyz fails during the outage and
   /livez never does;
2. the first request served after `pg_ctl start` returns comes within 5 s (the time is printed),
   and every request begun more than 5 s after it is served;
3. acknowledged == stored, nothing stored twice.

Standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time

from faultlib import Answer, Failure, Ledger, Postgres, Server, call, create_run, fail, say

NAME = "postgres restart"
WRITERS = 4
BATCH = 20
WARM_UP, DOWN_FOR, RECOVERY_LIMIT, HANG_LIMIT = 2.0, 8.0, 5.0, 6.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cairn-bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pg-ctl", required=True)
    parser.add_argument("--pg-data", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--modes", default="fast,immediate")
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    postgres = Postgres(args.pg_ctl, args.pg_data)
    server = Server(args.cairn_bin, "server", args.database_url, os.path.join(args.log_dir, "artifacts"), args.log_dir,
                    ["--shutdown-delay", "0", "--shutdown-grace", "5s"])
    problems: list[str] = []
    try:
        durable_commits(args.psql, args.database_url)
        server.start().wait_ready()
        run_id = create_run(server.base, "postgres-restart")
        for mode in args.modes.split(","):
            problems += outage(server, postgres, run_id, mode, args.log_dir)
        server.signal(signal.SIGTERM)
        code = server.wait(15)
        say(NAME, f"server exit status on SIGTERM: {code}")
        if code != 0:
            problems.append(f"the server exited {code} on SIGTERM")
    except Failure as failure:
        problems.insert(0, str(failure))
    finally:
        server.stop()
        if not postgres.running():  # leave the shared cluster as we found it
            try:
                postgres.start()
            except Failure as failure:
                problems.append(f"could not start PostgreSQL again: {failure}")
    if problems:
        return fail(NAME, problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    say(NAME, "OK")
    return 0


def durable_commits(psql: str, database_url: str) -> None:
    """The test cluster runs with synchronous_commit=off (fast, and enough when nothing crashes),
    under which an immediate shutdown loses the last commits PostgreSQL had acknowledged: this
    database is set back to on, so a lost point is Cairn's doing and not the cluster's."""
    database = database_url.rsplit("/", 1)[1].split("?")[0]
    result = subprocess.run([psql, database_url, "-v", "ON_ERROR_STOP=1", "-c", f'ALTER DATABASE "{database}" SET synchronous_commit = on'],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Failure(f"could not set synchronous_commit on: {result.stderr.strip()}")


def outage(server: Server, postgres: Postgres, run_id: str, mode: str, log_dir: str) -> list[str]:
    ledger = Ledger(BATCH)
    answers: list[Answer] = []
    probes: list[tuple[str, Answer]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(index: int) -> None:
        key, number, timestamp = f"{mode}-writer{index}", 0, int(time.time() * 1000)
        while not stop.is_set():
            body = {"run_id": run_id, "metrics": ledger.batch(key, number, timestamp)}
            deadline = time.monotonic() + 40
            while True:
                answer = call(server.base, "POST", "/api/2.0/mlflow/runs/log-batch", body, timeout=12)
                ledger.record(run_id, key, number, answer, answer.status == 200)
                with lock:
                    answers.append(answer)
                if answer.status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            number += 1

    def probe(path: str) -> None:
        while not stop.is_set():
            answer = call(server.base, "GET", path, timeout=12)
            with lock:
                probes.append((path, answer))
            time.sleep(0.25)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    # Two /readyz probes, so one begins while the other waits out its 5 s for a connection.
    threads += [threading.Thread(target=probe, args=(path,)) for path in ("/readyz", "/readyz", "/livez")]
    for thread in threads:
        thread.start()
    time.sleep(WARM_UP)
    down_at = time.monotonic()
    postgres.stop(mode)
    stopped_in = time.monotonic() - down_at
    time.sleep(DOWN_FOR)
    restart_at = time.monotonic()
    postgres.start()
    up_at = time.monotonic()
    # Load on until every writer has been served again for a while (or it is plainly not coming back).
    while time.monotonic() - up_at < 20:
        with lock:
            served = [a for a in answers if a.status == 200 and a.started > up_at + RECOVERY_LIMIT]
        if len(served) >= 3 * WRITERS:
            break
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    problems: list[str] = []
    outage_answers = [a for a in answers if a.started + a.elapsed > down_at and a.started < up_at]
    first_served = min((a.started + a.elapsed for a in answers if a.status == 200 and a.started + a.elapsed > up_at), default=None)
    recovery = None if first_served is None else first_served - up_at
    late_failures = [a for a in answers if a.started > up_at + RECOVERY_LIMIT and a.status != 200]
    by_status: dict[int, int] = {}
    for a in outage_answers:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    # Probes begun once PostgreSQL was told to stop and answered before it was started again.
    readyz = [a for path, a in probes if path == "/readyz" and a.started >= down_at and a.started + a.elapsed < restart_at]
    livez_bad = [a for path, a in probes if path == "/livez" and a.status != 200]

    with open(os.path.join(log_dir, f"answers-{mode}.tsv"), "w") as out:
        out.write("what\tstarted_s\telapsed_s\tstatus\terror\n")
        for what, a in [("log-batch", a) for a in answers] + probes:
            out.write(f"{what}\t{a.started - down_at:.3f}\t{a.elapsed:.3f}\t{a.status}\t{a.error}\n")
        out.write(f"# relative to pg_ctl stop; stopped {stopped_in:.3f}, start begun {restart_at - down_at:.3f}, back {up_at - down_at:.3f}\n")
    stored, missing, doubled, wrong = ledger.check(server.base)
    sent, acked = ledger.points(ledger.sent), ledger.points(ledger.acked)
    say(NAME, f"[{mode}] pg_ctl stop took {stopped_in:.1f} s, down {DOWN_FOR:.0f} s, start took {up_at - restart_at:.1f} s; "
              f"answers during the outage {dict(sorted(by_status.items()))}; slowest answer {ledger.slowest:.2f} s; "
              f"/readyz during the outage {sorted({a.status for a in readyz})}")
    say(NAME, f"[{mode}] recovery: first request served {recovery:.2f} s after PostgreSQL was back" if recovery is not None
        else f"[{mode}] recovery: no request served after PostgreSQL was back")
    say(NAME, f"[{mode}] sent={sent} acknowledged={acked} stored={stored} doubled={doubled} missing={missing} "
              f"requests={ledger.attempts}; all answers {dict(sorted(ledger.statuses.items()))}")

    for a in answers:
        if a.status not in (200, 503):
            problems.append(f"[{mode}] a log-batch got {a}")
            break
    for a in answers:
        if a.status == 503 and "retry-after" not in a.headers:
            problems.append(f"[{mode}] a 503 came without Retry-After: {a}")
            break
    if ledger.slowest > HANG_LIMIT:
        problems.append(f"[{mode}] a request took {ledger.slowest:.1f} s (limit {HANG_LIMIT} s): {ledger.slowest_what}")
    if by_status.get(503, 0) == 0:
        problems.append(f"[{mode}] no 503 during the outage (answers {by_status})")
    if not readyz or any(a.status == 200 for a in readyz):
        problems.append(f"[{mode}] /readyz during the outage: {[repr(a) for a in readyz][:3]}")
    if any(a.elapsed > HANG_LIMIT for _, a in probes):
        problems.append(f"[{mode}] a probe took over {HANG_LIMIT} s: {max((a for _, a in probes), key=lambda a: a.elapsed)}")
    if livez_bad:
        problems.append(f"[{mode}] /livez failed: {livez_bad[0]}")
    if recovery is None or recovery > RECOVERY_LIMIT:
        problems.append(f"[{mode}] not served again within {RECOVERY_LIMIT:.0f} s of PostgreSQL's return "
                        f"({'never' if recovery is None else f'{recovery:.1f} s'})")
    if late_failures:
        problems.append(f"[{mode}] {len(late_failures)} request(s) begun over {RECOVERY_LIMIT:.0f} s after the return failed: {late_failures[0]}")
    if wrong:
        problems.append(f"[{mode}] {len(wrong)} wrong point(s), first: {wrong[0]}")
    if doubled:
        problems.append(f"[{mode}] {doubled} (key, step) stored twice")
    if acked != stored:
        problems.append(f"[{mode}] acknowledged {acked} points but {stored} are stored")
    if sent != acked:
        problems.append(f"[{mode}] {sent - acked} points never acknowledged (retries gave up after 40 s)")
    return problems


if __name__ == "__main__":
    sys.exit(main())
