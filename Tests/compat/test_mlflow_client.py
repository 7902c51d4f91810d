"""Tracking compatibility: the official MLflow client, unchanged, against the server under test.

scripts/test.sh runs this against Cairn on each storage engine. By hand, against any running server:
    MLFLOW_TRACKING_URI=http://127.0.0.1:PORT .venv/bin/python -m pytest Tests/compat -x -q
and against MLflow's own server (to validate the suite) with COMPAT_TARGET=mlflow in addition.
The model registry (register_model, aliases) gets its own file later, reusing conftest's fixtures.
"""

from __future__ import annotations

import math
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import pytest
import requests
from compat_support import TARGET_IS_MLFLOW, RestApi, TrainingRun, assert_client_error, tree_digests
from mlflow.entities import LoggedModelStatus, Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient


def history(client: MlflowClient, run_id: str, key: str) -> list[tuple[int, float]]:
    """(step, value) of every point of a metric, ordered by step."""
    return sorted((m.step, m.value) for m in client.get_metric_history(run_id, key))


# --------------------------------------------------------------------------------------------
# Experiments
# --------------------------------------------------------------------------------------------


def test_default_experiment_0_exists(client: MlflowClient) -> None:
    default = client.get_experiment("0")
    assert default.experiment_id == "0"
    assert default.name == "Default"
    assert default.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"


def test_created_experiment_is_found_by_id_and_by_name(client: MlflowClient, unique_name: str) -> None:
    experiment_id = client.create_experiment(unique_name, tags={"team": "compat"})
    assert isinstance(experiment_id, str) and experiment_id.isdigit() and experiment_id != "0"

    by_id = client.get_experiment(experiment_id)
    assert by_id.name == unique_name
    assert by_id.lifecycle_stage == "active"
    assert by_id.tags.get("team") == "compat"
    assert by_id.artifact_location

    by_name = client.get_experiment_by_name(unique_name)
    assert by_name is not None
    assert by_name.experiment_id == experiment_id
    assert by_name.name == unique_name


def test_get_experiment_by_missing_name_returns_none(client: MlflowClient) -> None:
    assert client.get_experiment_by_name(f"compat-missing-{uuid.uuid4().hex}") is None


def test_duplicate_experiment_name_is_rejected(client: MlflowClient, unique_name: str) -> None:
    client.create_experiment(unique_name)
    with pytest.raises(MlflowException) as raised:
        client.create_experiment(unique_name)
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_set_experiment_creates_once_then_reuses(unique_name: str) -> None:
    created = mlflow.set_experiment(unique_name)
    assert created.name == unique_name
    again = mlflow.set_experiment(unique_name)
    assert again.experiment_id == created.experiment_id
    by_id = mlflow.set_experiment(experiment_id=created.experiment_id)
    assert by_id.name == unique_name


def test_search_experiments_filters_by_name_and_tag(client: MlflowClient, unique_name: str) -> None:
    ids = {
        suffix: client.create_experiment(f"{unique_name}-{suffix}", tags={"kind": kind})
        for suffix, kind in [("a", "keep"), ("b", "keep"), ("c", "drop")]
    }

    by_name = client.search_experiments(filter_string=f"name LIKE '{unique_name}-%'", order_by=["name DESC"])
    assert [e.experiment_id for e in by_name] == [ids["c"], ids["b"], ids["a"]]

    by_tag = client.search_experiments(
        filter_string=f"name LIKE '{unique_name}-%' AND tags.kind = 'keep'", order_by=["name ASC"]
    )
    assert [e.experiment_id for e in by_tag] == [ids["a"], ids["b"]]

    fluent = mlflow.search_experiments(filter_string=f"name = '{unique_name}-c'")
    assert [e.experiment_id for e in fluent] == [ids["c"]]


def test_deleted_experiment_is_hidden_until_restored(client: MlflowClient, unique_name: str) -> None:
    experiment_id = client.create_experiment(unique_name)
    name_filter = f"name = '{unique_name}'"

    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert client.search_experiments(filter_string=name_filter) == []
    deleted = client.search_experiments(filter_string=name_filter, view_type=ViewType.DELETED_ONLY)
    assert [e.experiment_id for e in deleted] == [experiment_id]
    with pytest.raises(MlflowException) as raised:
        client.create_run(experiment_id)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"

    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    assert [e.experiment_id for e in client.search_experiments(filter_string=name_filter)] == [experiment_id]
    assert client.create_run(experiment_id).info.experiment_id == experiment_id


# --------------------------------------------------------------------------------------------
# The training-script flow (conftest.training_run logs everything once; these tests read it)
# --------------------------------------------------------------------------------------------


def test_training_run_ends_finished(client: MlflowClient, training_run: TrainingRun) -> None:
    info = client.get_run(training_run.run_id).info
    assert info.status == "FINISHED"
    assert info.lifecycle_stage == "active"
    assert info.run_name == training_run.run_name
    assert info.experiment_id == training_run.experiment_id
    assert info.start_time > 0 and info.end_time >= info.start_time


def test_training_run_keeps_params_as_strings(client: MlflowClient, training_run: TrainingRun) -> None:
    assert client.get_run(training_run.run_id).data.params == training_run.params


def test_training_run_keeps_start_and_later_tags(client: MlflowClient, training_run: TrainingRun) -> None:
    tags = client.get_run(training_run.run_id).data.tags
    for key, value in {**training_run.start_tags, **training_run.later_tags}.items():
        assert tags.get(key) == value, key
    assert tags.get("mlflow.runName") == training_run.run_name
    assert tags.get("mlflow.source.type") == "LOCAL"
    assert "mlflow.user" in tags


def test_training_run_reports_latest_metric_values(client: MlflowClient, training_run: TrainingRun) -> None:
    assert client.get_run(training_run.run_id).data.metrics == training_run.latest_metrics


def test_metric_history_of_single_log_metric_calls_is_exact(client: MlflowClient, training_run: TrainingRun) -> None:
    assert history(client, training_run.run_id, "loss") == training_run.loss


def test_metric_history_of_log_metrics_calls_is_exact(client: MlflowClient, training_run: TrainingRun) -> None:
    assert history(client, training_run.run_id, "acc") == training_run.acc
    assert history(client, training_run.run_id, "f1") == training_run.f1


def test_log_batch_of_1500_metrics_stores_every_point(client: MlflowClient, training_run: TrainingRun) -> None:
    points = client.get_metric_history(training_run.run_id, "batch_metric")
    assert len(points) == 1500
    got = sorted((m.step, m.value, m.timestamp) for m in points)
    assert got == [(m.step, m.value, m.timestamp) for m in training_run.batch]


def test_metric_history_of_unknown_key_is_empty(client: MlflowClient, training_run: TrainingRun) -> None:
    assert client.get_metric_history(training_run.run_id, "never_logged") == []


def test_search_runs_finds_training_run_by_metric_param_and_tag(
    client: MlflowClient, training_run: TrainingRun
) -> None:
    found = client.search_runs(
        [training_run.experiment_id],
        filter_string="metrics.loss < 0.05 AND params.optimizer = 'adam' AND tags.team = 'compat'",
    )
    assert [r.info.run_id for r in found] == [training_run.run_id]
    none = client.search_runs([training_run.experiment_id], filter_string="metrics.loss > 0.05")
    assert none == []


def test_run_artifact_root_lists_logged_files_and_dirs(client: MlflowClient, training_run: TrainingRun) -> None:
    listing = {f.path: f for f in client.list_artifacts(training_run.run_id)}
    assert set(listing) == {"summary.txt", "data", "notes", "config"}
    assert listing["summary.txt"].is_dir is False
    assert listing["summary.txt"].file_size == training_run.single_file.stat().st_size
    for directory in ("data", "notes", "config"):
        assert listing[directory].is_dir is True


def test_run_artifact_sub_path_lists_its_entries(client: MlflowClient, training_run: TrainingRun) -> None:
    listing = {f.path: f for f in client.list_artifacts(training_run.run_id, "data")}
    assert set(listing) == {"data/blob.bin", "data/nested"}
    assert listing["data/blob.bin"].is_dir is False
    assert listing["data/blob.bin"].file_size == 300 * 1024
    assert listing["data/nested"].is_dir is True

    deeper = {f.path: f for f in client.list_artifacts(training_run.run_id, "data/nested/deeper")}
    assert set(deeper) == {"data/nested/deeper/weights.csv"}


def test_downloaded_directory_matches_uploaded_bytes(training_run: TrainingRun, tmp_path: Path) -> None:
    local = mlflow.artifacts.download_artifacts(
        run_id=training_run.run_id, artifact_path="data", dst_path=str(tmp_path)
    )
    downloaded = tree_digests(Path(local))
    original = tree_digests(training_run.source_dir)
    assert set(downloaded) == {"blob.bin", "nested/readme.md", "nested/deeper/weights.csv"}
    assert downloaded == original


def test_downloaded_single_file_matches_uploaded_bytes(training_run: TrainingRun, tmp_path: Path) -> None:
    local = mlflow.artifacts.download_artifacts(
        run_id=training_run.run_id, artifact_path="summary.txt", dst_path=str(tmp_path)
    )
    assert Path(local).read_bytes() == training_run.single_file.read_bytes()


def test_log_text_and_log_dict_read_back(training_run: TrainingRun) -> None:
    assert mlflow.artifacts.load_text(f"runs:/{training_run.run_id}/notes/readme.txt") == training_run.text
    assert mlflow.artifacts.load_dict(f"runs:/{training_run.run_id}/config/params.json") == training_run.config


def test_logged_model_belongs_to_run_and_predicts(client: MlflowClient, training_run: TrainingRun) -> None:
    model = client.get_logged_model(training_run.model_id)
    assert model.name == "model"
    assert model.source_run_id == training_run.run_id
    assert model.experiment_id == training_run.experiment_id
    assert model.status == LoggedModelStatus.READY

    loaded = mlflow.pyfunc.load_model(training_run.model_uri)
    assert list(loaded.predict([1.0, 2.5])) == [2.0, 3.5]


# --------------------------------------------------------------------------------------------
# Searching runs
# --------------------------------------------------------------------------------------------


@pytest.fixture
def ranked_runs(client: MlflowClient, experiment_id: str) -> tuple[str, dict[str, str]]:
    """Five runs: name -> run id. acc grows with the index; only `keep` runs carry optimizer=adam."""
    runs: dict[str, str] = {}
    specs = [
        ("r0", "keep", "adam"),
        ("r1", "drop", "adam"),
        ("r2", "keep", "adam"),
        ("r3", "keep", "sgd"),
        ("r4", "keep", "adam"),
    ]
    for index, (name, kind, optimizer) in enumerate(specs):
        run_id = client.create_run(experiment_id, run_name=name, tags={"kind": kind}).info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric("acc", 0.2 * index, int(time.time() * 1000), 0)],
            params=[Param("optimizer", optimizer), Param("lr", str(0.1 / (index + 1)))],
        )
        client.set_terminated(run_id)
        runs[name] = run_id
    return experiment_id, runs


RANKED_FILTER = "metrics.acc > 0.1 AND params.optimizer = 'adam' AND tags.kind = 'keep'"


def test_search_runs_filters_and_orders_with_client_api(
    client: MlflowClient, ranked_runs: tuple[str, dict[str, str]]
) -> None:
    experiment_id, runs = ranked_runs
    found = client.search_runs([experiment_id], filter_string=RANKED_FILTER, order_by=["metrics.acc DESC"])
    assert [r.info.run_id for r in found] == [runs["r4"], runs["r2"]]

    ascending = client.search_runs([experiment_id], filter_string=RANKED_FILTER, order_by=["metrics.acc ASC"])
    assert [r.info.run_id for r in ascending] == [runs["r2"], runs["r4"]]

    by_param = client.search_runs([experiment_id], filter_string="params.optimizer = 'sgd'")
    assert [r.info.run_id for r in by_param] == [runs["r3"]]

    everything = client.search_runs([experiment_id], order_by=["params.lr ASC"])
    assert [r.info.run_id for r in everything] == [runs[n] for n in ("r4", "r3", "r2", "r1", "r0")]


def test_search_runs_pages_with_tokens(client: MlflowClient, ranked_runs: tuple[str, dict[str, str]]) -> None:
    experiment_id, runs = ranked_runs
    first = client.search_runs([experiment_id], order_by=["metrics.acc DESC"], max_results=2)
    assert [r.info.run_id for r in first] == [runs["r4"], runs["r3"]]
    assert first.token
    second = client.search_runs([experiment_id], order_by=["metrics.acc DESC"], max_results=2, page_token=first.token)
    assert [r.info.run_id for r in second] == [runs["r2"], runs["r1"]]
    third = client.search_runs([experiment_id], order_by=["metrics.acc DESC"], max_results=2, page_token=second.token)
    assert [r.info.run_id for r in third] == [runs["r0"]]
    assert not third.token


def test_search_runs_filters_and_orders_as_pandas(ranked_runs: tuple[str, dict[str, str]]) -> None:
    experiment_id, runs = ranked_runs
    frame = mlflow.search_runs(
        experiment_ids=[experiment_id], filter_string=RANKED_FILTER, order_by=["metrics.acc DESC"]
    )
    assert list(frame["run_id"]) == [runs["r4"], runs["r2"]]
    assert list(frame["metrics.acc"]) == [pytest.approx(0.8), pytest.approx(0.4)]
    assert list(frame["params.optimizer"]) == ["adam", "adam"]
    assert list(frame["tags.kind"]) == ["keep", "keep"]
    assert list(frame["status"]) == ["FINISHED", "FINISHED"]


# --------------------------------------------------------------------------------------------
# Run lifecycle and write semantics
# --------------------------------------------------------------------------------------------


def test_deleted_run_is_hidden_until_restored(client: MlflowClient, experiment_id: str, run_id: str) -> None:
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([experiment_id]) == []
    assert [r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)] == [run_id]

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]


def test_param_is_write_once(client: MlflowClient, api: RestApi, run_id: str) -> None:
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "lr", "0.1")  # the same value again is fine (client retries do this)
    with pytest.raises(MlflowException) as raised:
        client.log_param(run_id, "lr", "0.2")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"

    response = api.post("runs/log-parameter", {"run_id": run_id, "key": "lr", "value": "0.3"})
    assert response.status_code == 400
    assert_client_error(response, "INVALID_PARAMETER_VALUE")
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


@pytest.mark.parametrize("endpoint", ["runs/log-metric", "runs/log-batch"])
def test_duplicate_metric_posted_three_times_leaves_one_history_row(
    client: MlflowClient, api: RestApi, run_id: str, endpoint: str
) -> None:
    point = {"key": "dup", "value": 0.5, "timestamp": 1_700_000_000_000, "step": 3}
    body = {"run_id": run_id, **point} if endpoint == "runs/log-metric" else {"run_id": run_id, "metrics": [point]}
    for _ in range(3):
        response = api.post(endpoint, body)
        assert response.status_code == 200, response.text
    rows = client.get_metric_history(run_id, "dup")
    assert [(m.step, m.value, m.timestamp) for m in rows] == [(3, 0.5, 1_700_000_000_000)]


def _log_twice(client: MlflowClient, run_id: str, key: str, value: float) -> None:
    client.log_batch(run_id, metrics=[Metric(key, value, 1_700_000_000_000 + step, step) for step in range(2)])


def _wire_metrics(api: RestApi, run_id: str) -> dict[str, Any]:
    return {m["key"]: m["value"] for m in api.get("runs/get", run_id=run_id).json()["run"]["data"]["metrics"]}


def test_nan_metric_values_round_trip(client: MlflowClient, api: RestApi, run_id: str) -> None:
    _log_twice(client, run_id, "nan", math.nan)
    client.log_metric(run_id, "finite", 1.25)

    latest = client.get_run(run_id).data.metrics
    assert math.isnan(latest["nan"])
    assert latest["finite"] == 1.25
    nan_history = client.get_metric_history(run_id, "nan")
    assert sorted(m.step for m in nan_history) == [0, 1]
    assert all(math.isnan(m.value) for m in nan_history)
    # On the wire NaN is the JSON string "NaN", as MLflow writes it (a bare NaN is not JSON).
    assert _wire_metrics(api, run_id) == {"nan": "NaN", "finite": 1.25}


def test_infinite_metric_values_round_trip(client: MlflowClient, api: RestApi, run_id: str) -> None:
    """As MLflow's SQL store: +-Infinity is kept as +-1.7976931348623157e308 (the largest double),
    which every read returns (issue 12, family 9)."""
    _log_twice(client, run_id, "pos_inf", math.inf)
    _log_twice(client, run_id, "neg_inf", -math.inf)
    largest = sys.float_info.max

    latest = client.get_run(run_id).data.metrics
    assert latest == {"pos_inf": largest, "neg_inf": -largest}
    assert [m.value for m in client.get_metric_history(run_id, "pos_inf")] == [largest, largest]
    assert [m.value for m in client.get_metric_history(run_id, "neg_inf")] == [-largest, -largest]
    assert _wire_metrics(api, run_id) == {"pos_inf": largest, "neg_inf": -largest}


# --------------------------------------------------------------------------------------------
# Wire details, checked with plain HTTP
# --------------------------------------------------------------------------------------------


def test_health_answers_ok(api: RestApi) -> None:
    response = api.get("/health")
    assert response.status_code == 200
    assert response.text.strip() == "OK"


def test_unknown_route_is_404_json_endpoint_not_found(api: RestApi) -> None:
    response = api.get("/api/2.0/mlflow/no-such-endpoint")
    assert response.status_code == 404
    if TARGET_IS_MLFLOW:
        pytest.skip("MLflow answers unknown routes with an HTML 404 page; Cairn must answer JSON")
    assert_client_error(response, "ENDPOINT_NOT_FOUND")


def _metric_point(key: str, value: Any = 1.0, step: int = 0) -> dict[str, Any]:
    return {"key": key, "value": value, "timestamp": 1_700_000_000_000, "step": step}


@dataclass(frozen=True)
class BadRequest:
    """One bad request about a run (args: api, run id, experiment id) and the error codes it may get."""

    send: Callable[[RestApi, str, str], requests.Response]
    error_codes: tuple[str, ...]
    mlflow_deviation: str | None = None  # why MLflow's own answer is not checked


BAD_REQUESTS: dict[str, BadRequest] = {
    "malformed_json_body": BadRequest(
        lambda api, run, exp: api.post_raw("runs/log-metric", b'{"run_id": "' + run.encode() + b'", "key": "m", '),
        ("MALFORMED_REQUEST", "INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
    ),
    "metric_value_not_a_number": BadRequest(
        lambda api, run, exp: api.post("runs/log-metric", {"run_id": run, **_metric_point("m", value="abc")}),
        ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
    ),
    "metric_value_is_an_object": BadRequest(
        lambda api, run, exp: api.post("runs/log-metric", {"run_id": run, **_metric_point("m", value={"x": 1})}),
        ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
        mlflow_deviation="MLflow answers an object-valued metric with an HTML 500",
    ),
    "metric_step_not_an_integer": BadRequest(
        lambda api, run, exp: api.post("runs/log-metric", {"run_id": run, **_metric_point("m", step="ten")}),
        ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
    ),
    "metric_key_not_a_string": BadRequest(
        lambda api, run, exp: api.post("runs/log-metric", {"run_id": run, **_metric_point("m"), "key": 5}),
        ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
    ),
    "log_batch_metrics_not_a_list": BadRequest(
        lambda api, run, exp: api.post("runs/log-batch", {"run_id": run, "metrics": "m=1"}),
        ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
    ),
    "log_batch_of_1001_metrics": BadRequest(
        lambda api, run, exp: api.post(
            "runs/log-batch", {"run_id": run, "metrics": [_metric_point("m", float(i), i) for i in range(1001)]}
        ),
        ("INVALID_PARAMETER_VALUE",),
    ),
    "log_metric_to_unknown_run": BadRequest(
        lambda api, run, exp: api.post("runs/log-metric", {"run_id": uuid.uuid4().hex, **_metric_point("m")}),
        ("RESOURCE_DOES_NOT_EXIST",),
    ),
    "get_unknown_run": BadRequest(
        lambda api, run, exp: api.get("runs/get", run_id=uuid.uuid4().hex),
        ("RESOURCE_DOES_NOT_EXIST",),
    ),
    "search_runs_filter_with_or": BadRequest(
        lambda api, run, exp: api.post(
            "runs/search", {"experiment_ids": [exp], "filter": "metrics.acc > 0.5 OR params.x = 'y'"}
        ),
        ("INVALID_PARAMETER_VALUE",),
    ),
    "search_runs_garbage_page_token": BadRequest(
        lambda api, run, exp: api.post("runs/search", {"experiment_ids": [exp], "page_token": "not-a-token!!"}),
        ("INVALID_PARAMETER_VALUE",),
    ),
    "search_experiments_garbage_page_token": BadRequest(
        lambda api, run, exp: api.post("experiments/search", {"max_results": 10, "page_token": "not-a-token!!"}),
        ("INVALID_PARAMETER_VALUE",),
    ),
}


def _run_snapshot(client: MlflowClient, run_id: str) -> dict[str, Any]:
    run = client.get_run(run_id)
    return {
        "status": run.info.status,
        "params": run.data.params,
        "metrics": run.data.metrics,
        "tags": run.data.tags,
        "history": history(client, run_id, "m"),
    }


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_client_error_is_4xx_json_and_changes_nothing(
    client: MlflowClient, api: RestApi, experiment_id: str, run_id: str, case: str
) -> None:
    client.log_batch(
        run_id,
        metrics=[Metric("m", 0.5, 1_600_000_000_000, 0)],
        params=[Param("p", "1")],
        tags=[RunTag("t", "v")],
    )
    before = _run_snapshot(client, run_id)

    bad = BAD_REQUESTS[case]
    response = bad.send(api, run_id, experiment_id)

    assert _run_snapshot(client, run_id) == before
    if TARGET_IS_MLFLOW and bad.mlflow_deviation:
        pytest.skip(bad.mlflow_deviation)
    assert_client_error(response, *bad.error_codes)


def test_client_raises_resource_does_not_exist_for_unknown_run(client: MlflowClient) -> None:
    with pytest.raises(MlflowException) as raised:
        client.get_run(uuid.uuid4().hex)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert str(raised.value)


def test_responses_use_snake_case_and_numeric_int64(api: RestApi, client: MlflowClient, run_id: str) -> None:
    client.log_metric(run_id, "m", 2.0, timestamp=1_700_000_000_123, step=7)
    body = api.get("runs/get", run_id=run_id).json()
    info = body["run"]["info"]
    assert info["run_id"] == run_id and info["run_uuid"] == run_id
    assert isinstance(info["start_time"], int)
    [metric] = body["run"]["data"]["metrics"]
    # Extra fields would be safe (the client ignores unknown ones); these four must be exact.
    assert {k: metric.get(k) for k in ("key", "value", "timestamp", "step")} == {
        "key": "m",
        "value": 2.0,
        "timestamp": 1_700_000_000_123,
        "step": 7,
    }
