"""Fixtures of the CLI suite: the `cairn` binary (CAIRN_BIN) against a running `cairn serve --auth
token` (CLI_TRACKING_URI, admin token CLI_ADMIN_TOKEN), both provided by scripts/test.sh.
CLI_ARTIFACTS says where the server keeps artifacts: `s3` (an S3 store with presigned URLs, so
large files take the direct routes; CLI_S3_ENDPOINT, CLI_S3_ACCESS_KEY and CLI_S3_SECRET_KEY
reach the bucket) or `local` (a directory: the direct routes answer 501 and the CLI falls back
to the artifact proxy).

Every test runs the real binary as a subprocess and checks its stdout, stderr and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from dataclasses import dataclass

import pytest
import requests


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Cli:
    def __init__(self, binary: str, uri: str, token: str, home: str):
        self.binary, self.uri, self.token, self.home = binary, uri, token, home

    def __call__(self, *args: str, token: str | None = "admin", env: dict | None = None, stdin: str | None = None,
                 timeout: float = 60) -> Result:
        environment = {"PATH": os.environ.get("PATH", ""), "HOME": self.home, "XDG_CONFIG_HOME": f"{self.home}/config",
                       "CAIRN_TRACKING_URI": self.uri, "NO_COLOR": "1"}
        if token == "admin":
            environment["CAIRN_TOKEN"] = self.token
        elif token is not None:
            environment["CAIRN_TOKEN"] = token
        environment.update(env or {})
        done = subprocess.run([self.binary, *args], capture_output=True, text=True, env=environment, input=stdin, timeout=timeout)
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def server_uri() -> str:
    uri = os.environ.get("CLI_TRACKING_URI")
    if not uri:
        pytest.exit("Tests/cli needs CLI_TRACKING_URI, CLI_ADMIN_TOKEN and CAIRN_BIN (scripts/test.sh sets them)", returncode=1)
    return uri


@pytest.fixture(scope="session")
def admin_token() -> str:
    return os.environ["CLI_ADMIN_TOKEN"]


@pytest.fixture(scope="session")
def artifacts_kind() -> str:
    kind = os.environ.get("CLI_ARTIFACTS", "local")
    assert kind in ("s3", "local"), f"CLI_ARTIFACTS must be s3 or local, not {kind!r}"
    return kind


@pytest.fixture()
def cli(server_uri: str, admin_token: str, tmp_path) -> Cli:
    return Cli(os.environ["CAIRN_BIN"], server_uri, admin_token, str(tmp_path))


@pytest.fixture()
def api(server_uri: str, admin_token: str):
    """Calls the REST API directly (to set up data the CLI then reads)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"

    def call(method: str, path: str, **body):
        response = session.request(method, f"{server_uri}/api/2.0/mlflow/{path}", json=body if method != "GET" else None,
                                   params=body if method == "GET" else None, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    return call


@pytest.fixture()
def unique() -> str:
    return uuid.uuid4().hex[:10]
