"""Shared pieces of the fault tests (Tests/faults/*.py): starting and stopping `cairn serve`,
plain HTTP calls with timings, free ports, PostgreSQL control, the log-batch load whose points
carry a unique (key, step) each, and the read-back that finds lost and doubled points.

Standard library only, so every script runs with any Python 3.9+ (rolling_restart.py also needs
the mlflow client).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib

ROOT_PREFIX = "/api/2.0/mlflow"


class Failure(Exception):
    """A check that failed: its message is the one-line reason the script exits with."""


def fail(name: str, reason: str) -> int:
    """Prints the one-line reason and the verdict; returns the exit status 1."""
    print(f"FAIL: {reason}", flush=True)
    print(f"{name}: FAILED", flush=True)
    return 1


def say(name: str, text: str) -> None:
    print(f"{name}: {text}", flush=True)


# ---- ports -------------------------------------------------------------------------------------


def _port_range() -> tuple[int, int]:
    """The ports test servers are given (as scripts/lib/common.sh's cairn_port_range): below the
    kernel's ephemeral range, which outgoing connections draw from."""
    low, high = 32768, 60999
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
    except OSError:
        pass
    if low >= 15000:
        return 10000, low - 10000
    if high <= 55000:
        return high + 1, 65000 - high
    return 20000, 40000


def free_port() -> int:
    first, count = _port_range()
    for _ in range(200):
        port = first + random.randrange(count)
        probe = socket.socket()
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            probe.close()
    raise Failure("no free TCP port on 127.0.0.1")


# ---- HTTP --------------------------------------------------------------------------------------


class Answer:
    """One HTTP exchange: status 0 means no answer at all (refused, reset, timed out)."""

    __slots__ = ("status", "body", "headers", "started", "elapsed", "error")

    def __init__(self, status: int, body: dict, headers: dict, started: float, elapsed: float, error: str = ""):
        self.status, self.body, self.headers, self.started, self.elapsed, self.error = status, body, headers, started, elapsed, error

    def __repr__(self) -> str:
        return f"{self.status} {self.error or self.body} ({self.elapsed:.2f} s)"


def call(base: str, method: str, path: str, body: dict | None = None, timeout: float = 30) -> Answer:
    """One request on a fresh connection (no keep-alive: each request finds the replica anew)."""
    parsed = urllib.parse.urlsplit(base)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            decoded = json.loads(raw) if raw else {}
        except ValueError:
            decoded = {"raw": raw[:200].decode(errors="replace")}
        return Answer(response.status, decoded, {k.lower(): v for k, v in response.getheaders()}, started, time.monotonic() - started)
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, {}, {}, started, time.monotonic() - started, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def create_run(base: str, name: str) -> str:
    answer = call(base, "POST", f"{ROOT_PREFIX}/runs/create", {"experiment_id": "0", "start_time": 1, "run_name": name})
    if answer.status != 200:
        raise Failure(f"runs/create answered {answer}")
    return answer.body["run"]["info"]["run_id"]


def history(base: str, run_id: str, key: str) -> list[tuple[int, int, float]]:
    """Every stored point of (run, key) as (step, timestamp, value), all pages."""
    points: list[tuple[int, int, float]] = []
    token = ""
    for _ in range(1000):
        query = {"run_id": run_id, "metric_key": key, "max_results": "25000"}
        if token:
            query["page_token"] = token
        answer = call(base, "GET", f"{ROOT_PREFIX}/metrics/get-history?" + urllib.parse.urlencode(query), timeout=60)
        if answer.status != 200:
            raise Failure(f"metrics/get-history for {key} answered {answer}")
        points += [(int(m["step"]), int(m["timestamp"]), float(m["value"])) for m in answer.body.get("metrics", [])]
        token = answer.body.get("next_page_token") or ""
        if not token:
            return points
    raise Failure(f"metrics/get-history for {key} did not end after 1000 pages")


# ---- cairn serve -------------------------------------------------------------------------------


class Server:
    """One `cairn serve` replica on 127.0.0.1:port; its output appended to log_dir/NAME.log."""

    def __init__(self, cairn_bin: str, name: str, database_url: str, artifacts: str, log_dir: str,
                 extra: list[str] | None = None, env: dict | None = None, port: int | None = None):
        self.cairn_bin, self.name, self.database_url, self.artifacts = cairn_bin, name, database_url, artifacts
        self.extra, self.env = list(extra or []), env
        self.port = port or free_port()
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        log = open(self.log_path, "a")
        log.write(f"---- start {time.strftime('%H:%M:%S')} ----\n")
        log.flush()
        environment = dict(os.environ)
        environment.update(self.env or {})
        self.process = subprocess.Popen(
            [self.cairn_bin, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database-url", self.database_url,
             "--artifacts-uri", self.artifacts, *self.extra],
            stdout=log, stderr=subprocess.STDOUT, env=environment)
        log.close()
        return self

    def wait_ready(self, timeout: float = 30) -> float:
        """Seconds until /readyz answered 200; Failure when the process exits or time runs out."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                raise Failure(f"{self.name} exited ({self.process and self.process.returncode}) before /readyz passed; "
                              f"log: {self.log_tail()}")
            if call(self.base, "GET", "/readyz", timeout=2).status == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        raise Failure(f"{self.name} did not pass /readyz within {timeout:.0f} s")

    def signal(self, number: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(number)

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None when still running after timeout."""
        try:
            return self.process.wait(timeout=timeout) if self.process else None
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """TERM, KILL after 10 s; never fails (for cleanup)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        if self.wait(10) is None:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 3) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                tail = [line.strip() for line in f.readlines()[-lines:]]
            return " | ".join(tail)[-600:]
        except OSError:
            return "(no log)"


# ---- PostgreSQL --------------------------------------------------------------------------------


class Postgres:
    """The test cluster's pg_ctl, run as the data dir's owner (postgres when we are root)."""

    def __init__(self, pg_ctl: str, data: str):
        self.pg_ctl, self.data = pg_ctl, data
        # pg_ctl start does not reuse the last command line (restart does): keep it.
        with open(os.path.join(data, "postmaster.opts")) as f:
            words = shlex.split(f.read())
        self.options = " ".join(shlex.quote(w) for w in words[1:])

    def _run(self, *args: str) -> None:
        command = [self.pg_ctl, "-D", self.data, *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=90)
        if result.returncode != 0:
            raise Failure(f"pg_ctl {' '.join(args[:3])} failed: {(result.stderr or result.stdout).strip()[-300:]}")

    def stop(self, mode: str) -> None:
        self._run("-m", mode, "-w", "-t", "60", "stop")

    def start(self) -> None:
        self._run("-w", "-t", "60", "-o", self.options, "-l", os.path.join(os.path.dirname(self.data), "server.log"), "start")

    def running(self) -> bool:
        command = [self.pg_ctl, "-D", self.data, "status"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True).returncode == 0


# ---- the log-batch load ------------------------------------------------------------------------


class Ledger:
    """What a load generator sent and what was acknowledged, per batch: batch b of key k holds
    steps b*size .. b*size+size-1, each with its own value, so a lost or doubled point is seen by
    its (key, step)."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.lock = threading.Lock()
        self.sent: dict[tuple[str, str], set[int]] = {}   # (run, key) -> batch numbers attempted
        self.acked: dict[tuple[str, str], set[int]] = {}  # (run, key) -> batch numbers answered 200
        self.statuses: dict[str, int] = {}                # "200", "503", "0 ConnectionRefusedError", ...
        self.attempts = 0
        self.slowest = 0.0
        self.slowest_what = ""
        self.unexpected: list[str] = []                   # answers no fault may cause (500, 400, ...)

    @staticmethod
    def value(key: str, step: int) -> float:
        # crc32, not hash(): the same in every process (rolling_restart.py's workers).
        return (zlib.crc32(f"{key}:{step}".encode()) % 1_000_000) / 8.0

    def batch(self, key: str, number: int, timestamp: int) -> list[dict]:
        first = number * self.batch_size
        return [{"key": key, "value": self.value(key, step), "timestamp": timestamp, "step": step}
                for step in range(first, first + self.batch_size)]

    def record(self, run: str, key: str, number: int, answer: Answer | None, acked: bool) -> None:
        with self.lock:
            self.sent.setdefault((run, key), set()).add(number)
            if acked:
                self.acked.setdefault((run, key), set()).add(number)
            if answer is not None:
                self.attempts += 1
                label = str(answer.status) if answer.status else f"0 {answer.error.split(':')[0]}"
                self.statuses[label] = self.statuses.get(label, 0) + 1
                if answer.elapsed > self.slowest:
                    self.slowest, self.slowest_what = answer.elapsed, repr(answer)

    def points(self, table: dict) -> int:
        return sum(len(numbers) for numbers in table.values()) * self.batch_size

    def check(self, base: str) -> tuple[int, int, int, list[str]]:
        """Reads every (run, key) back: (stored, acknowledged-but-missing, doubled, problems)."""
        stored = missing = doubled = 0
        problems: list[str] = []
        for (run, key), sent in sorted(self.sent.items()):
            acked = self.acked.get((run, key), set())
            points = history(base, run, key)
            stored += len(points)
            seen: dict[int, int] = {}
            for step, _timestamp, value in points:
                seen[step] = seen.get(step, 0) + 1
                if step // self.batch_size not in sent:
                    problems.append(f"{key} step {step} stored but never sent")
                elif abs(value - self.value(key, step)) > 1e-9:
                    problems.append(f"{key} step {step} stored with value {value}, sent {self.value(key, step)}")
            doubled += sum(1 for count in seen.values() if count > 1)
            for number in acked:
                for step in range(number * self.batch_size, (number + 1) * self.batch_size):
                    if step not in seen:
                        missing += 1
                        if len(problems) < 5:
                            problems.append(f"{key} step {step} acknowledged but not stored")
        return stored, missing, doubled, problems
