#!/usr/bin/env python3
"""SIGTERM during a 500 MB upload through the artifact proxy: with grace enough it completes
byte-exact; with too little it fails cleanly, never leaving a partial object; the server exits 0.

    Tests/faults/upload_sigterm.py --cairn-bin .build/debug/cairn --database-url postgres://... --log-dir DIR \
        [--s3-endpoint http://127.0.0.1:PORT --s3-bucket BUCKET --s3-access-key KEY --s3-secret-key SECRET]

For the local artifact store (a directory in DIR), and with --s3-endpoint also for S3, a slow
client PUTs 500 MB (--size-mb) to /api/2.0/mlflow-artifacts/artifacts/..., throttled so the upload
is still in flight when the server gets SIGTERM 2 s in:

1. `--shutdown-grace 40s`, upload at 60 MB/s: the client gets 200, the server exits 0 once the
   upload is done, and a fresh server on the same store serves the object with the same size and
   SHA-256 as sent;
2. `--shutdown-grace 1s`, upload at 25 MB/s (20 s of sending): the client gets no 200, the server
   exits 0 within the grace plus 5 s, and a fresh server neither lists the object nor serves it
   (404); on the local store no file is left in its directory either.

Prints the counts (sent, acknowledged, stored bytes) and exits 1 with a one-line reason on failure.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid

from faultlib import Failure, Server, call, fail, say

NAME = "upload sigterm"
PREFIX = "/api/2.0/mlflow-artifacts/artifacts"
CHUNK = 1 << 20
SIGTERM_AFTER = 2.0
SHORT_GRACE, EXIT_SLACK = 1, 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cairn-bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--s3-endpoint")
    parser.add_argument("--s3-bucket")
    parser.add_argument("--s3-access-key")
    parser.add_argument("--s3-secret-key")
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    stores = [("local", os.path.join(args.log_dir, "artifacts"), {})]
    if args.s3_endpoint:
        stores.append(("s3", f"s3://{args.s3_bucket}/faults-{uuid.uuid4().hex[:8]}", {
            "AWS_ACCESS_KEY_ID": args.s3_access_key, "AWS_SECRET_ACCESS_KEY": args.s3_secret_key,
            "CAIRN_S3_ENDPOINT": args.s3_endpoint, "CAIRN_S3_PATH_STYLE": "true"}))
    problems: list[str] = []
    for store, uri, env in stores:
        for grace in ("long", "short"):
            try:
                problems += case(args, store, uri, env, grace)
            except Failure as failure:
                problems.append(f"[{store}, {grace} grace] {failure}")
    if problems:
        return fail(NAME, problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    say(NAME, "OK")
    return 0


def case(args, store: str, uri: str, env: dict, grace: str) -> list[str]:
    tag = f"[{store}, {grace} grace]"
    size = args.size_mb * CHUNK
    rate = 60 * CHUNK if grace == "long" else 25 * CHUNK
    grace_seconds = 40 if grace == "long" else SHORT_GRACE
    path = f"faults/{store}-{grace}-{uuid.uuid4().hex[:8]}/model.bin"
    server = Server(args.cairn_bin, f"{store}-{grace}", args.database_url, uri, args.log_dir,
                    ["--shutdown-delay", "0", "--shutdown-grace", f"{grace_seconds}s"], env=env)
    checker = Server(args.cairn_bin, f"{store}-{grace}-check", args.database_url, uri, args.log_dir, ["--shutdown-delay", "0"], env=env)
    problems: list[str] = []
    try:
        server.start().wait_ready()
        upload = Upload(server.port, path, size, rate)
        thread = threading.Thread(target=upload.run)
        thread.start()
        time.sleep(SIGTERM_AFTER)
        if upload.sent == 0 or upload.done.is_set():
            raise Failure(f"the upload was not in flight at SIGTERM ({upload.sent} bytes sent, done={upload.done.is_set()})")
        in_flight = upload.sent
        signalled = time.monotonic()
        server.signal(signal.SIGTERM)
        code = server.wait(grace_seconds + 30)
        exited = time.monotonic() - signalled
        thread.join(timeout=60)
        say(NAME, f"{tag} SIGTERM with {in_flight / CHUNK:.0f} MB of {size / CHUNK:.0f} MB sent: server exit {code} after {exited:.1f} s; "
                  f"client sent {upload.sent / CHUNK:.0f} MB in {upload.took:.1f} s and got {upload.status or upload.error}")

        checker.start().wait_ready()
        listed = listing(checker.base, path.rsplit("/", 1)[0])
        stored, digest, get_status = download(checker.base, path)
        acknowledged = size if upload.status == 200 else 0
        say(NAME, f"{tag} sent={upload.sent} acknowledged={acknowledged} stored={stored} (GET {get_status}; listing {listed})")

        if code is None:
            problems.append(f"{tag} the server had not exited {grace_seconds + 30} s after SIGTERM")
        elif code != 0:
            problems.append(f"{tag} the server exited {code} on SIGTERM")
        if grace == "long":
            if upload.status != 200:
                problems.append(f"{tag} the upload did not complete within the grace: {upload.status or upload.error}")
            elif get_status != 200 or stored != size or digest != upload.digest:
                problems.append(f"{tag} the completed upload reads back as {stored} bytes (GET {get_status}), "
                                f"sha256 {'matches' if digest == upload.digest else 'differs'}; sent {size}")
        else:
            if upload.status == 200:
                problems.append(f"{tag} an upload cut after {SHORT_GRACE} s of grace was acknowledged")
            if exited > SHORT_GRACE + EXIT_SLACK:
                problems.append(f"{tag} the server took {exited:.1f} s to exit with a {SHORT_GRACE} s grace")
            if get_status != 404 or listed:
                problems.append(f"{tag} a cut upload left an object behind: GET {get_status} ({stored} bytes), listing {listed}")
            if store == "local":
                directory = os.path.join(uri, os.path.dirname(path))
                left = os.listdir(directory) if os.path.isdir(directory) else []
                if left:
                    problems.append(f"{tag} a cut upload left files in {directory}: {left}")
        if upload.status == 200 and stored != size:
            problems.append(f"{tag} acknowledged {size} bytes but {stored} are stored")
    finally:
        server.stop()
        checker.stop()
        if store == "local" and grace == "long":  # 500 MB: not kept for the CI artifacts
            try:
                os.remove(os.path.join(uri, path))
            except OSError:
                pass
    return problems


class Upload:
    """A PUT of `size` bytes at about `rate` bytes/s over a raw socket: chunk i is an 8-byte
    counter and 1 MiB - 8 random bytes, so a chunk lost, doubled or swapped changes the SHA-256."""

    def __init__(self, port: int, path: str, size: int, rate: float):
        self.port, self.path, self.size, self.rate = port, path, size, rate
        self.sent, self.status, self.error, self.took, self.digest = 0, 0, "", 0.0, ""
        self.done = threading.Event()

    def run(self) -> None:
        block = os.urandom(CHUNK)
        sha = hashlib.sha256()
        started = time.monotonic()
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        try:
            head = (f"PUT {PREFIX}/{urllib.parse.quote(self.path)} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    f"Content-Type: application/octet-stream\r\nContent-Length: {self.size}\r\n\r\n")
            sock.sendall(head.encode())
            index = 0
            while self.sent < self.size:
                chunk = index.to_bytes(8, "big") + block[8:]
                chunk = chunk[: self.size - self.sent]
                sock.sendall(chunk)
                sha.update(chunk)
                self.sent += len(chunk)
                index += 1
                ahead = self.sent / self.rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            self.digest = sha.hexdigest()
        except OSError as error:
            self.error = f"{type(error).__name__} after {self.sent} bytes"
        try:
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
            self.status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.error = self.error or f"{type(error).__name__} reading the answer"
        finally:
            sock.close()
            self.took = time.monotonic() - started
            self.done.set()


def listing(base: str, directory: str) -> list[str]:
    answer = call(base, "GET", f"{PREFIX}?path={urllib.parse.quote(directory)}")
    if answer.status != 200:
        raise Failure(f"listing {directory} answered {answer}")
    return [entry["path"] for entry in answer.body.get("files", [])]


def download(base: str, path: str) -> tuple[int, str, int]:
    """(bytes, sha256, status) of a GET of the artifact."""
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        connection.request("GET", f"{PREFIX}/{urllib.parse.quote(path)}")
        response = connection.getresponse()
        sha, total = hashlib.sha256(), 0
        while True:
            data = response.read(CHUNK)
            if not data:
                break
            if response.status == 200:
                sha.update(data)
            total += len(data)
        return (total if response.status == 200 else 0), sha.hexdigest(), response.status
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
