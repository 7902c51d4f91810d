"""Fixtures of the compatibility suite: the official MLflow client against a running server.

The server is named by MLFLOW_TRACKING_URI (http://host:port); scripts/test.sh starts Cairn and sets
it (and COMPAT_TARGET=cairn). COMPAT_TARGET=mlflow marks a run against MLflow's own server, used to
validate the suite itself (see compat_support.TARGET_IS_MLFLOW).

Every test gets its own experiment (unique name), so tests do not depend on each other or on the
order they run in. The one expensive flow, a whole training script (`training_run`), runs once per
session and is only read by the tests that use it; later test files (e.g. the model registry) can
reuse it and its logged model.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

# Before mlflow is imported: a 5xx must fail a test at once, not after minutes of client retries.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")

import mlflow  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
from compat_support import AddN, RestApi, TrainingRun  # noqa: E402
from mlflow.entities import Metric  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri.startswith(("http://", "https://")):
        raise pytest.UsageError(
            "Tests/compat needs a running server: set MLFLOW_TRACKING_URI=http://127.0.0.1:PORT "
            "(scripts/test.sh --compat-only starts Cairn and does this)"
        )


# ---- connections -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tracking_uri() -> str:
    uri = os.environ["MLFLOW_TRACKING_URI"]
    mlflow.set_tracking_uri(uri)
    try:
        health = requests.get(uri.rstrip("/") + "/health", timeout=10)
    except requests.RequestException as error:
        pytest.exit(f"server at {uri} is not reachable: {error}", returncode=1)
    assert health.status_code == 200 and health.text.strip() == "OK", health.text[:200]
    return uri


@pytest.fixture(scope="session")
def client(tracking_uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=tracking_uri)


@pytest.fixture(scope="session")
def api(tracking_uri: str) -> RestApi:
    return RestApi(tracking_uri)


# ---- per-test experiments and runs ---------------------------------------------------------------


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """An experiment (or model) name that no other test, nor an earlier run of the suite, uses."""
    return f"compat-{request.node.name[:60]}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def experiment_id(client: MlflowClient, unique_name: str) -> str:
    return client.create_experiment(unique_name)


@pytest.fixture
def run_id(client: MlflowClient, experiment_id: str) -> str:
    return client.create_run(experiment_id).info.run_id


@pytest.fixture(autouse=True)
def _no_active_run_leaks() -> Iterator[None]:
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()


# ---- the training-script flow, run once ----------------------------------------------------------


@pytest.fixture(scope="session")
def training_run(client: MlflowClient, tmp_path_factory: pytest.TempPathFactory) -> TrainingRun:
    """Drives the server exactly as a training script does, with the fluent API where one would."""
    name = f"compat-training-{uuid.uuid4().hex[:10]}"
    work = tmp_path_factory.mktemp("training")

    single_file = work / "summary.txt"
    single_file.write_text("final summary\n")
    source_dir = work / "data"
    (source_dir / "nested" / "deeper").mkdir(parents=True)
    (source_dir / "blob.bin").write_bytes(os.urandom(300 * 1024))
    (source_dir / "nested" / "readme.md").write_text("# nested\n\nünïcødé text\n", encoding="utf-8")
    (source_dir / "nested" / "deeper" / "weights.csv").write_text("a,b\n1,2\n3,4\n")

    start_tags = {"team": "compat", "stage": "dev"}
    later_tags = {"model_family": "linear", "dataset": "synthetic", "owner": "ci"}
    loss = [(step, 1.0 / (step + 1)) for step in range(50)]
    acc = [(step, step / 20) for step in range(20)]
    f1 = [(step, step / 40) for step in range(20)]
    t0 = int(time.time() * 1000)
    batch = [Metric("batch_metric", i * 0.5, t0 + i, i) for i in range(1500)]
    text = "some notes\nline two\n"
    config = {"lr": 0.01, "layers": [64, 32], "name": "net", "nested": {"dropout": 0.1}}

    experiment = mlflow.set_experiment(name)
    with mlflow.start_run(run_name="train", tags=start_tags) as run:
        run_id = run.info.run_id
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"epochs": 50, "optimizer": "adam"})
        mlflow.set_tag("model_family", later_tags["model_family"])
        mlflow.set_tags({"dataset": later_tags["dataset"], "owner": later_tags["owner"]})
        for step, value in loss:
            mlflow.log_metric("loss", value, step=step)
        for (step, a), (_, f) in zip(acc, f1, strict=True):
            mlflow.log_metrics({"acc": a, "f1": f}, step=step)
        client.log_batch(run_id, metrics=batch)  # the client splits it into 1000 + 500
        mlflow.log_artifact(str(single_file))
        mlflow.log_artifacts(str(source_dir), artifact_path="data")
        mlflow.log_text(text, "notes/readme.txt")
        mlflow.log_dict(config, "config/params.json")
        model_info = mlflow.pyfunc.log_model(name="model", python_model=AddN(1.0), pip_requirements=["mlflow"])

    return TrainingRun(
        experiment_id=experiment.experiment_id,
        experiment_name=name,
        run_id=run_id,
        run_name="train",
        start_tags=start_tags,
        later_tags=later_tags,
        params={"lr": "0.01", "epochs": "50", "optimizer": "adam"},
        loss=loss,
        acc=acc,
        f1=f1,
        batch=batch,
        latest_metrics={"loss": loss[-1][1], "acc": acc[-1][1], "f1": f1[-1][1], "batch_metric": batch[-1].value},
        source_dir=source_dir,
        single_file=single_file,
        text=text,
        config=config,
        model_uri=model_info.model_uri,
        model_id=model_info.model_id,
    )
