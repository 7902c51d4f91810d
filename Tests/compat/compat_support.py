"""Helpers of the compatibility suite that are not fixtures: raw HTTP, error checks, file digests,
the trivial model and the record of what the training flow logged. Test files import from here;
conftest.py holds the fixtures.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import requests
from mlflow.entities import Metric

# COMPAT_TARGET=mlflow: the suite runs against MLflow's own server to validate itself. The few
# assertions where MLflow deviates from what Cairn promises are skipped there, with the reason.
TARGET_IS_MLFLOW = os.environ.get("COMPAT_TARGET") == "mlflow"


class RestApi:
    """Raw HTTP against the server, for wire details the client hides."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        # The same credentials the mlflow client sends (when the server runs with --auth token).
        if os.environ.get("MLFLOW_TRACKING_TOKEN"):
            self.session.headers["Authorization"] = f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"
        elif os.environ.get("MLFLOW_TRACKING_PASSWORD"):
            self.session.auth = (os.environ.get("MLFLOW_TRACKING_USERNAME", ""), os.environ["MLFLOW_TRACKING_PASSWORD"])

    def url(self, path: str) -> str:
        """`path` is either absolute ("/health") or relative to /api/2.0/mlflow/."""
        return self.base_url + (path if path.startswith("/") else f"/api/2.0/mlflow/{path}")

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url(path), params=params, timeout=60)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(self.url(path), json=body, timeout=60)

    def post_raw(self, path: str, data: bytes) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        return self.session.post(self.url(path), data=data, headers=headers, timeout=60)


def assert_client_error(response: requests.Response, *error_codes: str) -> dict[str, Any]:
    """A client mistake: 4xx (never 5xx, which the client retries), JSON {error_code, message}."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body.get("error_code"), str) and body["error_code"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    if error_codes:
        assert body["error_code"] in error_codes, body
    return body


def tree_digests(root: Path) -> dict[str, str]:
    """{relative posix path: sha256} of every file under root."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class AddN(mlflow.pyfunc.PythonModel):
    """The trivial model logged by the training flow: adds `n` to each input."""

    def __init__(self, n: float) -> None:
        self.n = n

    def predict(self, context: Any, model_input: list[float], params: dict[str, Any] | None = None) -> list[float]:
        return [value + self.n for value in model_input]


@dataclass(frozen=True)
class TrainingRun:
    """What the training flow (conftest.training_run) logged, to compare the server's answers with."""

    experiment_id: str
    experiment_name: str
    run_id: str
    run_name: str
    start_tags: dict[str, str]
    later_tags: dict[str, str]
    params: dict[str, str]  # as the server must return them: strings
    loss: list[tuple[int, float]]  # (step, value): 50 single mlflow.log_metric calls
    acc: list[tuple[int, float]]  # 20 mlflow.log_metrics calls ...
    f1: list[tuple[int, float]]  # ... of two metrics each
    batch: list[Metric]  # 1500 metrics in one MlflowClient.log_batch call
    latest_metrics: dict[str, float]
    source_dir: Path  # uploaded with log_artifacts(..., artifact_path="data")
    single_file: Path  # uploaded with log_artifact, at the root
    text: str  # log_text -> notes/readme.txt
    config: dict[str, Any]  # log_dict -> config/params.json
    model_uri: str  # pyfunc.log_model(name="model") -> models:/m-...
    model_id: str
