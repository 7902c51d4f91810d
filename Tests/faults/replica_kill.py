#!/usr/bin/env python3
"""Two replicas on one PostgreSQL, one SIGKILLed mid-load: every acknowledged point is stored once.

    Tests/faults/replica_kill.py --cairn-bin .build/debug/cairn --database-url postgres://... --log-dir DIR

Starts two `cairn serve` replicas on the same (empty) database at the same moment (both migrate),
then six writer threads log metrics with `runs/log-batch` through both, alternating per request;
each batch holds 20 points with their own (key, step). A batch that gets no answer or a 503 is
sent again to the other replica until it is acknowledged (what a client behind a load balancer
does). Replica B is SIGKILLed 2.5 s in and started again 2 s later; the load runs 8 s in all.
Every (run, key) is then read back through metrics/get-history. Checks:

1. acknowledged == stored, no point stored twice or altered, nothing stored that was not sent;
2. no answer other than 200, 503 or no answer at all (the killed replica) reached a client; the
   surviving replica never failed a request;
3. the surviving replica exits 0 on SIGTERM at the end.

Prints the counts (sent, acknowledged, stored) and exits 1 with a one-line reason on failure.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from faultlib import Failure, Ledger, Server, call, create_run, fail, say

NAME = "replica kill"
WRITERS = 6
BATCH = 20
KILL_AT, RESTART_AT, LOAD_SECONDS = 2.5, 4.5, 8.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cairn-bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--log-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    artifacts = os.path.join(args.log_dir, "artifacts")
    extra = ["--shutdown-delay", "0", "--shutdown-grace", "5s"]
    replicas = [Server(args.cairn_bin, name, args.database_url, artifacts, args.log_dir, extra) for name in ("replica-a", "replica-b")]
    try:
        return run(replicas)
    except Failure as failure:
        return fail(NAME, str(failure))
    finally:
        for replica in replicas:
            replica.stop()


def run(replicas: list[Server]) -> int:
    a, b = replicas
    for replica in replicas:  # at the same moment: both run the migrations
        replica.start()
    for replica in replicas:
        replica.wait_ready()
    run_id = create_run(a.base, "replica-kill")
    ledger = Ledger(BATCH)
    stop = threading.Event()
    survivor_failures: list[str] = []

    def writer(index: int) -> None:
        key, number, timestamp = f"writer{index}", 0, int(time.time() * 1000)
        while not stop.is_set():
            body = {"run_id": run_id, "metrics": ledger.batch(key, number, timestamp)}
            target, deadline = (index + number) % 2, time.monotonic() + 20
            while True:
                replica = replicas[target]
                answer = call(replica.base, "POST", "/api/2.0/mlflow/runs/log-batch", body, timeout=15)
                ledger.record(run_id, key, number, answer, answer.status == 200)
                if answer.status == 200:
                    break
                if answer.status not in (0, 503):
                    ledger.unexpected.append(f"{replica.name}: {answer}")
                if replica is a and len(survivor_failures) < 5:
                    survivor_failures.append(repr(answer))
                if time.monotonic() > deadline:
                    break  # given up: not acknowledged
                target = 1 - target
                time.sleep(0.02)
            number += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(KILL_AT)
    b.signal(signal.SIGKILL)
    b.wait(10)
    say(NAME, f"replica-b SIGKILLed at {time.monotonic() - started:.1f} s")
    time.sleep(RESTART_AT - KILL_AT)
    b.start()
    back = b.wait_ready()
    say(NAME, f"replica-b started again, ready after {back:.1f} s")
    time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    took = time.monotonic() - started

    stored, missing, doubled, problems = ledger.check(a.base)
    sent, acked = ledger.points(ledger.sent), ledger.points(ledger.acked)
    say(NAME, f"sent={sent} acknowledged={acked} stored={stored} doubled={doubled} missing={missing} "
              f"requests={ledger.attempts} in {took:.1f} s; answers {dict(sorted(ledger.statuses.items()))}; "
              f"slowest {ledger.slowest:.2f} s")
    a.signal(signal.SIGTERM)
    code = a.wait(15)
    say(NAME, f"replica-a exit status on SIGTERM: {code}")

    if ledger.unexpected:
        raise Failure(f"{len(ledger.unexpected)} unexpected answer(s), first: {ledger.unexpected[0]}")
    if survivor_failures:
        raise Failure(f"the surviving replica failed requests: {survivor_failures[0]}")
    if problems:
        raise Failure(f"{len(problems)} wrong point(s), first: {problems[0]}")
    if doubled:
        raise Failure(f"{doubled} (key, step) stored twice")
    if acked != stored:
        raise Failure(f"acknowledged {acked} points but {stored} are stored")
    if sent != acked:
        raise Failure(f"{sent - acked} points were never acknowledged (retries gave up)")
    if acked == 0:
        raise Failure("no point was acknowledged")
    if code != 0:
        raise Failure(f"replica-a exited {code} on SIGTERM")
    say(NAME, "OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
