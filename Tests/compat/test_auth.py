"""Authentication as the mlflow client meets it (only when the server runs with --auth token).

scripts/test.sh runs the whole suite twice against `cairn serve --auth token`: once with
MLFLOW_TRACKING_TOKEN (Bearer) and once with MLFLOW_TRACKING_USERNAME/PASSWORD (Basic, the token
as password), so every other test file also proves the credentials work. These tests check the
refusals.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
import requests
from compat_support import RestApi
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

pytestmark = pytest.mark.skipif(os.environ.get("COMPAT_AUTH") != "1", reason="the server runs without authentication")

ROUTES = [
    ("GET", "/version"),
    ("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0"),
    ("POST", "/api/2.0/mlflow/experiments/search"),
    ("POST", "/api/2.0/mlflow/experiments/create"),
    ("POST", "/api/2.0/mlflow/runs/create"),
    ("POST", "/api/2.0/mlflow/runs/search"),
    ("POST", "/api/2.0/mlflow/runs/log-batch"),
    ("GET", "/api/2.0/mlflow/metrics/get-history?run_id=x&metric_key=y"),
    ("GET", "/api/2.0/mlflow/registered-models/search"),
    ("POST", "/api/2.0/mlflow/registered-models/create"),
    ("DELETE", "/api/2.0/mlflow/registered-models/delete"),
    ("PUT", "/api/2.0/mlflow-artifacts/artifacts/0/x.txt"),
    ("GET", "/api/2.0/mlflow-artifacts/artifacts?path=0"),
    ("GET", "/api/3.0/mlflow/server-info"),
    ("GET", "/api/cairn/v1/audit?entity=model:x"),
    ("GET", "/api/cairn/v1/tokens"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_routes_refuse_requests_without_credentials(tracking_uri: str, method: str, path: str) -> None:
    response = requests.request(method, tracking_uri + path, json={}, timeout=30)
    assert response.status_code == 401, response.text
    assert response.json()["error_code"] == "UNAUTHENTICATED"


def test_health_and_ready_stay_open(tracking_uri: str) -> None:
    assert requests.get(tracking_uri + "/health", timeout=30).status_code == 200
    assert requests.get(tracking_uri + "/ready", timeout=30).status_code == 200


def test_a_wrong_token_is_401_and_the_client_does_not_retry(tracking_uri: str) -> None:
    client = MlflowClient(tracking_uri=tracking_uri)
    saved = {k: os.environ.pop(k, None) for k in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")}
    os.environ["MLFLOW_TRACKING_TOKEN"] = "cairn_not-a-real-token-000000000000000000"
    try:
        started = time.monotonic()
        with pytest.raises(MlflowException) as refused:
            client.search_experiments()
        assert time.monotonic() - started < 10, "401 must not be retried"
        assert refused.value.error_code == "UNAUTHENTICATED"
    finally:
        os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def test_a_read_token_can_read_but_not_write(api: RestApi, tracking_uri: str) -> None:
    name = f"reader-{uuid.uuid4().hex[:8]}"
    created = api.post("/api/cairn/v1/tokens", {"name": name, "scope": "read"})
    assert created.status_code == 200, created.text
    body = created.json()
    assert set(body) == {"name", "scope", "token"}
    reader = {"Authorization": f"Bearer {body['token']}"}
    read = requests.post(tracking_uri + "/api/2.0/mlflow/experiments/search", json={}, headers=reader, timeout=30)
    assert read.status_code == 200, read.text
    write = requests.post(tracking_uri + "/api/2.0/mlflow/experiments/create", json={"name": name}, headers=reader, timeout=30)
    assert write.status_code == 403
    assert write.json()["error_code"] == "PERMISSION_DENIED"
    assert body["token"] not in write.text
    listed = api.get("/api/cairn/v1/tokens")
    assert body["token"] not in listed.text
    assert api.session.delete(api.url(f"/api/cairn/v1/tokens/{name}"), timeout=30).status_code == 200
    revoked = requests.post(tracking_uri + "/api/2.0/mlflow/experiments/search", json={}, headers=reader, timeout=30)
    assert revoked.status_code == 401
