"""MLflow compatibility, second pass (issue 12): what MLflow 3.17.2's server answers, exactly.

One group per family of the issue:
1. the /ajax-api prefix and the UI-only routes (get-history-bulk, search-datasets, upload-artifact,
   the logged-model artifact listing and download);
2. error texts for wrongly typed JSON fields, missing parameters and invalid artifact paths;
3. a relative `artifact_location` resolved to an absolute path on the server;
4. metrics with dataset_name / dataset_digest / model_id, and search_logged_models(datasets=...);
5. the registry not requiring the run to exist, and the `mlflow.modelVersions` tag;
6. artifacts/list refusing invalid paths;
7. the prompt registry through mlflow.genai.

Every expected value (status, error_code, message text) was read from a real `mlflow server`
3.17.2 (SQLite backend, --artifacts-destination); the suite passes with COMPAT_TARGET=mlflow.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import mlflow
import pytest
import requests
from compat_support import RestApi
from mlflow.tracking import MlflowClient

API_DOCS = " See the API docs for more information about request parameters."


def expect_error(response: requests.Response, status: int, error_code: str, message: str) -> None:
    """MLflow's error answer: the status, `error_code` and the exact `message` (MLflow adds
    `sqlstate` and `error_class`, which no client reads)."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert (body.get("error_code"), body.get("message")) == (error_code, message), body


def invalid_value(value: Any, parameter: str) -> str:
    """MLflow's message for a JSON field of the wrong type (handlers._validate_param_against_schema
    with utils.validation.invalid_value: the value as compact JSON, the Python type name, and two
    spaces after the colon)."""
    hint = {str: "str", int: "int", dict: "dict", list: "list", float: "float", bool: "bool"}[type(value)]
    formatted = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return f"Invalid value {formatted} for parameter '{parameter}' supplied:  Hint: Value was of type '{hint}'.{API_DOCS}"


def missing(parameter: str) -> str:
    return f"Missing value for required parameter '{parameter}'.{API_DOCS}"


def ajax(path: str) -> str:
    return f"/ajax-api/2.0/mlflow/{path}"


def put_artifact(api: RestApi, path: str, data: bytes) -> None:
    response = api.session.put(api.url(f"/api/2.0/mlflow-artifacts/artifacts/{path}"), data=data, timeout=60)
    assert response.status_code == 200, response.text[:500]


def run_artifact_prefix(client: MlflowClient, run_id: str) -> str:
    """The proxied path of a run's artifact root (`mlflow-artifacts:/1/<run>/artifacts` -> `1/<run>/artifacts`)."""
    uri = client.get_run(run_id).info.artifact_uri
    assert uri.startswith("mlflow-artifacts:/"), uri
    return uri.removeprefix("mlflow-artifacts:/").lstrip("/")


@pytest.fixture
def ghost_run_id() -> str:
    """A run id this server never saw (a run of another tracking server)."""
    return uuid.uuid4().hex


# ---- 1. the /ajax-api prefix and the UI-only routes ---------------------------------------------


@pytest.fixture
def populated_run(client: MlflowClient, api: RestApi, experiment_id: str, run_id: str) -> dict[str, str]:
    """A run with a metric, a tag, an artifact and a logged model with an artifact."""
    api.post("runs/log-batch", {"run_id": run_id, "metrics": [{"key": "loss", "value": 0.5, "timestamp": 7, "step": 1}]}).raise_for_status()
    client.set_tag(run_id, "team", "compat")
    put_artifact(api, f"{run_artifact_prefix(client, run_id)}/notes/a.txt", b"hello")
    model = client.create_logged_model(experiment_id, name="ajax-model", source_run_id=run_id)
    prefix = model.artifact_location.removeprefix("mlflow-artifacts:/").lstrip("/")
    put_artifact(api, f"{prefix}/MLmodel", b"flavors: {}\n")
    name = client.get_experiment(experiment_id).name
    return {"experiment_id": experiment_id, "experiment_name": name, "run_id": run_id, "model_id": model.model_id}


AJAX_READS = [
    ("GET", "experiments/get", {"experiment_id": "{experiment_id}"}),
    ("GET", "experiments/get-by-name", {"experiment_name": "{experiment_name}"}),
    ("POST", "experiments/search", {"filter": "name = '{experiment_name}'", "max_results": 10}),
    ("GET", "runs/get", {"run_id": "{run_id}"}),
    ("POST", "runs/search", {"experiment_ids": ["{experiment_id}"]}),
    ("GET", "metrics/get-history", {"run_id": "{run_id}", "metric_key": "loss"}),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": "{run_id}", "metric_key": "loss"}),
    ("GET", "artifacts/list", {"run_id": "{run_id}", "path": "notes"}),
    ("GET", "logged-models/{model_id}", {}),
    ("POST", "logged-models/search", {"experiment_ids": ["{experiment_id}"]}),
    ("GET", "logged-models/{model_id}/artifacts/directories", {}),
    ("GET", "registered-models/search", {"max_results": "5"}),
]


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "fields"), AJAX_READS, ids=[f"{m} {p}" for m, p, _ in AJAX_READS])
def test_ajax_prefix_answers_as_the_api_prefix(
    api: RestApi, populated_run: dict[str, str], method: str, path: str, fields: dict[str, Any]
) -> None:
    path, fields = _fill(path, populated_run), _fill(fields, populated_run)
    answers = []
    for url in (api.url(path), api.url(ajax(path))):
        if method == "GET":
            response = api.session.get(url, params=fields, timeout=60)
        else:
            response = api.session.post(url, json=fields, timeout=60)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        answers.append(response.json())
    assert answers[0] == answers[1]


def test_ajax_prefix_accepts_writes(api: RestApi, client: MlflowClient, unique_name: str) -> None:
    created = api.post(ajax("experiments/create"), {"name": unique_name})
    assert created.status_code == 200, created.text
    experiment_id = created.json()["experiment_id"]
    run = api.post(ajax("runs/create"), {"experiment_id": experiment_id, "start_time": 1})
    assert run.status_code == 200, run.text
    run_id = run.json()["run"]["info"]["run_id"]
    batch = {"run_id": run_id, "metrics": [{"key": "m", "value": 2.5, "timestamp": 3, "step": 0}], "params": [{"key": "p", "value": "v"}]}
    assert api.post(ajax("runs/log-batch"), batch).json() == {}
    assert api.post(ajax("runs/set-tag"), {"run_id": run_id, "key": "t", "value": "x"}).json() == {}
    fetched = client.get_run(run_id)
    assert fetched.info.experiment_id == experiment_id
    assert fetched.data.metrics == {"m": 2.5}
    assert fetched.data.params == {"p": "v"}
    assert fetched.data.tags["t"] == "x"


@pytest.fixture
def two_runs_with_loss(api: RestApi, client: MlflowClient, experiment_id: str) -> list[str]:
    """Two runs with the same three `loss` points, logged out of order; sorted by run id."""
    run_ids = [client.create_run(experiment_id).info.run_id for _ in range(2)]
    points = [
        {"key": "loss", "value": 3.0, "timestamp": 10, "step": 2},
        {"key": "loss", "value": 1.0, "timestamp": 5, "step": 1},
        {"key": "loss", "value": 2.0, "timestamp": 5, "step": 0},
    ]
    for run_id in run_ids:
        api.post("runs/log-batch", {"run_id": run_id, "metrics": points}).raise_for_status()
    return sorted(run_ids)


def test_get_history_bulk_returns_every_run_sorted(api: RestApi, two_runs_with_loss: list[str]) -> None:
    first, second = two_runs_with_loss
    response = api.get(ajax("metrics/get-history-bulk"), run_id=[second, first], metric_key="loss")
    assert response.status_code == 200, response.text
    # Sorted by run id, then timestamp, step and value; each point names its run.
    expected = [
        {"key": "loss", "value": value, "timestamp": timestamp, "step": step, "run_id": run_id}
        for run_id in (first, second)
        for value, timestamp, step in ((2.0, 5, 0), (1.0, 5, 1), (3.0, 10, 2))
    ]
    assert response.json() == {"metrics": expected}
    limited = api.get(ajax("metrics/get-history-bulk"), run_id=[second, first], metric_key="loss", max_results="2")
    assert limited.json() == {"metrics": expected[:2]}


def test_get_history_bulk_of_unknown_runs_or_keys_is_empty(api: RestApi, two_runs_with_loss: list[str], ghost_run_id: str) -> None:
    assert api.get(ajax("metrics/get-history-bulk"), run_id=two_runs_with_loss[0], metric_key="nope").json() == {"metrics": []}
    assert api.get(ajax("metrics/get-history-bulk"), run_id=ghost_run_id, metric_key="loss").json() == {"metrics": []}


def test_get_history_bulk_validation(api: RestApi, run_id: str) -> None:
    expect_error(
        api.get(ajax("metrics/get-history-bulk"), metric_key="loss"),
        400, "INVALID_PARAMETER_VALUE", "GetMetricHistoryBulk request must specify at least one run_id.",
    )  # fmt: skip
    expect_error(
        api.get(ajax("metrics/get-history-bulk"), run_id=run_id),
        400, "INVALID_PARAMETER_VALUE", "GetMetricHistoryBulk request must specify a metric_key.",
    )  # fmt: skip
    expect_error(
        api.get(ajax("metrics/get-history-bulk"), run_id=[f"r{i}" for i in range(101)], metric_key="loss"),
        400, "INVALID_PARAMETER_VALUE", "GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.",
    )  # fmt: skip


def test_get_history_bulk_is_served_under_ajax_api_only(api: RestApi, run_id: str) -> None:
    # MLflow registers this UI route under /ajax-api only (an HTML 404 under /api).
    assert api.get("metrics/get-history-bulk", run_id=run_id, metric_key="loss").status_code == 404


def test_search_datasets_summarises_logged_inputs(api: RestApi, client: MlflowClient, experiment_id: str) -> None:
    first, second = (client.create_run(experiment_id).info.run_id for _ in range(2))

    def dataset_input(name: str, digest: str, context: str | None) -> dict[str, Any]:
        tags = [{"key": "mlflow.data.context", "value": context}] if context else []
        return {"tags": tags, "dataset": {"name": name, "digest": digest, "source_type": "local", "source": "{}"}}

    inputs = [dataset_input("ds", "d1", "train"), dataset_input("ds2", "d2", None)]
    api.post("runs/log-inputs", {"run_id": first, "datasets": inputs}).raise_for_status()
    api.post("runs/log-inputs", {"run_id": second, "datasets": [dataset_input("ds", "d1", "eval")]}).raise_for_status()

    response = api.post(ajax("experiments/search-datasets"), {"experiment_ids": [experiment_id]})
    assert response.status_code == 200, response.text
    summaries = response.json()["dataset_summaries"]
    # One summary per (dataset, context); no `context` key where the input had no context tag.
    assert sorted(summaries, key=lambda s: (s["name"], s.get("context", ""))) == [
        {"experiment_id": experiment_id, "name": "ds", "digest": "d1", "context": "eval"},
        {"experiment_id": experiment_id, "name": "ds", "digest": "d1", "context": "train"},
        {"experiment_id": experiment_id, "name": "ds2", "digest": "d2"},
    ]


def test_search_datasets_validation(api: RestApi, experiment_id: str) -> None:
    expect_error(
        api.post(ajax("experiments/search-datasets"), {}),
        400, "INVALID_PARAMETER_VALUE", "SearchDatasets request must specify at least one experiment_id.",
    )  # fmt: skip
    expect_error(
        api.post(ajax("experiments/search-datasets"), {"experiment_ids": [str(i) for i in range(21)]}),
        400, "INVALID_PARAMETER_VALUE", "SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.",
    )  # fmt: skip
    expect_error(
        api.post(ajax("experiments/search-datasets"), {"experiment_ids": ["abc"]}),
        400, "INVALID_PARAMETER_VALUE", "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    )  # fmt: skip
    # An experiment without inputs: an empty message, `{}`.
    assert api.post(ajax("experiments/search-datasets"), {"experiment_ids": [experiment_id]}).json() == {}


def upload(api: RestApi, data: bytes, **params: str) -> requests.Response:
    """`upload-artifact` as the UI calls it: the file as the raw body, run and path in the query."""
    headers = {"Content-Type": "application/octet-stream"}
    return api.session.post(api.url(ajax("upload-artifact")), params=params, data=data, headers=headers, timeout=120)


def test_upload_artifact_stores_the_body_under_the_run(api: RestApi, client: MlflowClient, run_id: str) -> None:
    response = upload(api, b"hello", run_uuid=run_id, path="dir/a.txt")
    assert response.status_code == 200, response.text
    assert response.text == ""  # an empty body, not `{}`
    assert [(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id, "dir")] == [("dir/a.txt", False, 5)]
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/dir/a.txt") == "hello"


def test_upload_artifact_validation(api: RestApi, run_id: str, ghost_run_id: str) -> None:
    code = "INVALID_PARAMETER_VALUE"
    expect_error(upload(api, b"x", path="a.txt"), 400, code, "Request must specify run_uuid.")
    expect_error(upload(api, b"x", run_uuid=run_id), 400, code, "Request must specify path.")
    expect_error(upload(api, b"x", run_uuid=run_id, path="../a.txt"), 400, code, "Invalid path")
    expect_error(upload(api, b"", run_uuid=run_id, path="a.txt"), 400, code, "Request must specify data.")
    expect_error(upload(api, b"x", run_uuid=ghost_run_id, path="a.txt"), 404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={ghost_run_id} not found")
    too_large = b"x" * (10 * 1024 * 1024 + 1)
    expect_error(upload(api, too_large, run_uuid=run_id, path="big.bin"), 400, code, "Artifact size is too large. Max size is 10MB.")


@pytest.fixture
def logged_model_with_files(client: MlflowClient, experiment_id: str, tmp_path: Path) -> str:
    source = tmp_path / "model"
    (source / "sub").mkdir(parents=True)
    (source / "MLmodel").write_text("flavors: {}\n")
    (source / "sub" / "weights.bin").write_bytes(b"\x00\x01\x02")
    model = client.create_logged_model(experiment_id, name="files")
    client.log_model_artifacts(model.model_id, str(source))
    return model.model_id


@pytest.mark.parametrize("prefix", ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"])
def test_logged_model_artifact_directories_list(api: RestApi, client: MlflowClient, logged_model_with_files: str, prefix: str) -> None:
    model_id = logged_model_with_files
    url = f"{prefix}/logged-models/{model_id}/artifacts/directories"
    root = api.get(url)
    assert root.status_code == 200, root.text
    assert root.json() == {
        "root_uri": client.get_logged_model(model_id).artifact_location,
        "files": [{"path": "MLmodel", "is_dir": False, "file_size": 12}, {"path": "sub", "is_dir": True}],
    }
    sub = api.get(url, artifact_directory_path="sub").json()
    assert sub["files"] == [{"path": "sub/weights.bin", "is_dir": False, "file_size": 3}]
    expect_error(api.get(url, artifact_directory_path="../x"), 400, "INVALID_PARAMETER_VALUE", "Invalid path")


def test_logged_model_artifact_file_download(api: RestApi, logged_model_with_files: str) -> None:
    url = ajax(f"logged-models/{logged_model_with_files}/artifacts/files")
    response = api.get(url, artifact_file_path="sub/weights.bin")
    assert response.status_code == 200, response.text[:300]
    assert response.content == b"\x00\x01\x02"
    assert api.get(url, artifact_file_path="MLmodel").text == "flavors: {}\n"
    expect_error(api.get(url), 400, "BAD_REQUEST", 'Request must include the "artifact_file_path" query parameter.')
    expect_error(api.get(url, artifact_file_path="../MLmodel"), 400, "INVALID_PARAMETER_VALUE", "Invalid path")


# ---- 2. error texts --------------------------------------------------------------------------------

# (method, route, body or query, status, error_code, message); "RUN" stands for a real run id.
ERROR_TEXTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "runs/log-metric", {"run_id": 31, "key": "m", "value": 1, "timestamp": 1}, invalid_value(31, "run_id")),
    ("POST", "runs/log-metric", {"run_id": "RUN", "key": "m", "value": "abc", "timestamp": 1}, invalid_value("abc", "value")),
    ("POST", "runs/log-metric", {"run_id": "RUN", "key": "m", "value": 1, "timestamp": "x"}, invalid_value("x", "timestamp")),
    ("POST", "runs/log-metric", {"run_id": "RUN", "key": "m", "value": 1, "timestamp": 1, "step": "x"}, invalid_value("x", "step")),
    ("POST", "runs/log-metric", {"run_id": "RUN", "key": "m", "value": 1}, missing("timestamp")),
    ("POST", "runs/log-parameter", {"run_id": "RUN", "key": "p", "value": 5}, invalid_value(5, "value")),
    ("POST", "runs/set-tag", {"run_id": "RUN", "key": 1, "value": "x"}, invalid_value(1, "key")),
    ("POST", "runs/log-batch", {"run_id": "RUN", "metrics": {"a": 1}}, invalid_value({"a": 1}, "metrics")),
    ("POST", "runs/create", {"experiment_id": 5}, invalid_value(5, "experiment_id")),
    ("POST", "runs/create", {"experiment_id": "0", "start_time": "abc"}, invalid_value("abc", "start_time")),
    ("POST", "runs/search", {"experiment_ids": "0"}, invalid_value("0", "experiment_ids")),
    ("POST", "experiments/create", {"name": 5}, invalid_value(5, "name")),
    ("POST", "experiments/search", {"max_results": "abc"}, invalid_value("abc", "max_results")),
    ("POST", "experiments/search", {"order_by": "name"}, invalid_value("name", "order_by")),
    ("POST", "registered-models/create", {"name": 5}, invalid_value(5, "name")),
    ("GET", "registered-models/search", {"max_results": "abc"}, invalid_value("abc", "max_results")),
    ("POST", "logged-models", {"experiment_id": 5}, invalid_value(5, "experiment_id")),
    ("POST", "logged-models/search", {"experiment_ids": "0"}, invalid_value("0", "experiment_ids")),
    ("POST", "logged-models/search", {}, missing("experiment_ids")),
    ("GET", "metrics/get-history", {"run_id": "RUN", "metric_key": "m", "max_results": "0"},
     "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer."),
    ("GET", "metrics/get-history-bulk-interval", {"metric_key": "m"}, missing("run_ids")),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": "RUN"}, missing("metric_key")),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": "RUN", "metric_key": "m", "max_results": "0"},
     f"max_results must be between 1 and 2500.{API_DOCS}"),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": [f"r{i}" for i in range(101)], "metric_key": "m"},
     f"GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.{API_DOCS}"),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": "RUN", "metric_key": "m", "start_step": "1"},
     "If either start step or end step are specified, both must be specified."),
    ("GET", "metrics/get-history-bulk-interval", {"run_ids": "RUN", "metric_key": "m", "start_step": "x", "end_step": "1"},
     invalid_value("x", "start_step")),
]  # fmt: skip


def _with_run(value: Any, run_id: str) -> Any:
    if value == "RUN":
        return run_id
    if isinstance(value, dict):
        return {k: _with_run(v, run_id) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "route", "fields", "message"), ERROR_TEXTS, ids=[f"{m} {r} {i}" for i, (m, r, _, _) in enumerate(ERROR_TEXTS)])
def test_error_text_matches_mlflow(api: RestApi, run_id: str, method: str, route: str, fields: dict[str, Any], message: str) -> None:
    fields = _with_run(fields, run_id)
    response = api.get(route, **fields) if method == "GET" else api.post(route, fields)
    expect_error(response, 400, "INVALID_PARAMETER_VALUE", message)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/2.0/mlflow-artifacts/artifacts/%2e%2e/x"),
        ("PUT", "/api/2.0/mlflow-artifacts/artifacts/%2e%2e/x"),
        ("GET", "/api/2.0/mlflow-artifacts/artifacts?path=../x"),
    ],
)
def test_invalid_artifact_path_is_just_invalid_path(api: RestApi, method: str, path: str) -> None:
    response = api.session.request(method, api.url(path), data=b"x" if method == "PUT" else None, timeout=60)
    expect_error(response, 400, "INVALID_PARAMETER_VALUE", "Invalid path")


# ---- 3. relative artifact_location ------------------------------------------------------------------


@pytest.mark.parametrize("relative", ["rel/dir", "./rel2"])
def test_relative_artifact_location_becomes_absolute(client: MlflowClient, unique_name: str, relative: str) -> None:
    experiment_id = client.create_experiment(unique_name, artifact_location=relative)
    location = client.get_experiment(experiment_id).artifact_location
    # Resolved against the server's working directory (which this test does not know).
    assert location.startswith("/") and location.endswith("/" + relative.removeprefix("./")), location
    run = client.create_run(experiment_id)
    assert run.info.artifact_uri == f"{location}/{run.info.run_id}/artifacts"


def test_relative_file_uri_becomes_absolute(client: MlflowClient, unique_name: str) -> None:
    location = client.get_experiment(client.create_experiment(unique_name, artifact_location="file:rel3")).artifact_location
    assert location.startswith("file:///") and location.endswith("/rel3"), location


def test_absolute_artifact_location_is_kept(client: MlflowClient, unique_name: str) -> None:
    assert client.get_experiment(client.create_experiment(unique_name, artifact_location="/abs/dir")).artifact_location == "/abs/dir"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("runs:/abc/x", "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/x'"),
        ("a#frag", "'artifact_location' URL can't include fragments or params."),
        (
            "http://example.com/y",
            "'artifact_location' cannot use the 'http' scheme: the 'http' scheme addresses a host other than the tracking "
            "server's configured artifact storage, so the server would connect to the host named in the URI. Set the "
            "MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.",
        ),
    ],
)
def test_artifact_locations_mlflow_refuses(api: RestApi, unique_name: str, location: str, message: str) -> None:
    expect_error(api.post("experiments/create", {"name": unique_name, "artifact_location": location}), 400, "INVALID_PARAMETER_VALUE", message)


# ---- 4. metrics with dataset and model fields --------------------------------------------------------


@pytest.fixture
def models_with_dataset_metrics(api: RestApi, client: MlflowClient, experiment_id: str, run_id: str) -> dict[str, str]:
    """Three logged models of one run: `train` has acc 0.5 on (train, abc), `eval` acc 0.7 on
    (eval, def), `plain` acc 0.9 on no dataset."""
    ids = {name: client.create_logged_model(experiment_id, name=name, source_run_id=run_id).model_id for name in ("train", "eval", "plain")}
    metric = {"run_id": run_id, "key": "acc", "value": 0.5, "timestamp": 100, "step": 0}
    metric |= {"model_id": ids["train"], "dataset_name": "train", "dataset_digest": "abc"}
    assert api.post("runs/log-metric", metric).json() == {}
    batch = [
        {"key": "acc", "value": 0.7, "timestamp": 101, "step": 1, "model_id": ids["eval"], "dataset_name": "eval", "dataset_digest": "def"},
        {"key": "acc", "value": 0.9, "timestamp": 102, "step": 2, "model_id": ids["plain"]},
        {"key": "plain", "value": 1.0, "timestamp": 103, "step": 0},
    ]
    assert api.post("runs/log-batch", {"run_id": run_id, "metrics": batch}).json() == {}
    return {"experiment_id": experiment_id, "run_id": run_id, **ids}


def test_logged_model_metrics_keep_dataset_and_model(api: RestApi, client: MlflowClient, models_with_dataset_metrics: dict[str, str]) -> None:
    ids = models_with_dataset_metrics
    body = api.get(f"logged-models/{ids['train']}").json()
    assert body["model"]["data"]["metrics"] == [
        {
            "key": "acc", "value": 0.5, "timestamp": 100, "step": 0,
            "dataset_name": "train", "dataset_digest": "abc", "model_id": ids["train"], "run_id": ids["run_id"],
        }
    ]  # fmt: skip
    metric = client.get_logged_model(ids["eval"]).metrics[0]
    assert (metric.dataset_name, metric.dataset_digest, metric.model_id, metric.run_id) == ("eval", "def", ids["eval"], ids["run_id"])


def test_run_metrics_do_not_carry_dataset_fields(api: RestApi, models_with_dataset_metrics: dict[str, str]) -> None:
    # MLflow keeps the dataset fields on the logged model's metrics only: the run's latest metrics
    # and its metric history answer key, value, timestamp and step.
    run_id = models_with_dataset_metrics["run_id"]
    history = api.get("metrics/get-history", run_id=run_id, metric_key="acc").json()["metrics"]
    assert history == [
        {"key": "acc", "value": 0.5, "timestamp": 100, "step": 0},
        {"key": "acc", "value": 0.7, "timestamp": 101, "step": 1},
        {"key": "acc", "value": 0.9, "timestamp": 102, "step": 2},
    ]
    latest = api.get("runs/get", run_id=run_id).json()["run"]["data"]["metrics"]
    assert sorted(latest, key=lambda m: m["key"]) == [
        {"key": "acc", "value": 0.9, "timestamp": 102, "step": 2},
        {"key": "plain", "value": 1.0, "timestamp": 103, "step": 0},
    ]


def search_model_names(api: RestApi, experiment_id: str, **fields: Any) -> list[str]:
    response = api.post("logged-models/search", {"experiment_ids": [experiment_id], **fields})
    assert response.status_code == 200, response.text
    return sorted(model["info"]["name"] for model in response.json().get("models", []))


def test_search_logged_models_filters_by_datasets(api: RestApi, client: MlflowClient, models_with_dataset_metrics: dict[str, str]) -> None:
    experiment_id = models_with_dataset_metrics["experiment_id"]
    assert search_model_names(api, experiment_id) == ["eval", "plain", "train"]
    assert search_model_names(api, experiment_id, datasets=[{"dataset_name": "eval", "dataset_digest": "def"}]) == ["eval"]
    assert search_model_names(api, experiment_id, datasets=[{"dataset_name": "eval", "dataset_digest": "zzz"}]) == []
    both = [{"dataset_name": "train", "dataset_digest": "abc"}, {"dataset_name": "eval", "dataset_digest": "def"}]
    assert search_model_names(api, experiment_id, datasets=both) == ["eval", "train"]
    # With a metric filter, the datasets restrict which metric values the filter compares.
    assert search_model_names(api, experiment_id, filter="metrics.acc > 0.6") == ["eval", "plain"]
    assert search_model_names(api, experiment_id, filter="metrics.acc > 0.6", datasets=[{"dataset_name": "train", "dataset_digest": "abc"}]) == []
    found = client.search_logged_models(experiment_ids=[experiment_id], datasets=[{"dataset_name": "train", "dataset_digest": "abc"}])
    assert [m.name for m in found] == ["train"]


@pytest.mark.parametrize("fields", [{"dataset_name": "train"}, {"dataset_digest": "abc"}])
def test_metric_dataset_needs_name_and_digest(api: RestApi, run_id: str, fields: dict[str, str]) -> None:
    message = "Both dataset_name and dataset_digest must be provided if one is provided"
    metric = {"key": "acc", "value": 0.5, "timestamp": 100, "step": 0, **fields}
    expect_error(api.post("runs/log-metric", {"run_id": run_id, **metric}), 400, "INVALID_PARAMETER_VALUE", message)
    expect_error(api.post("runs/log-batch", {"run_id": run_id, "metrics": [metric]}), 400, "INVALID_PARAMETER_VALUE", message)


def test_search_logged_models_datasets_need_a_name(api: RestApi, experiment_id: str) -> None:
    response = api.post("logged-models/search", {"experiment_ids": [experiment_id], "datasets": [{"dataset_digest": "def"}]})
    expect_error(response, 400, "INVALID_PARAMETER_VALUE", "`dataset_name` in the `datasets` clause must be specified.")


def test_search_logged_models_orders_by_a_metric_on_a_dataset(api: RestApi, models_with_dataset_metrics: dict[str, str]) -> None:
    order = [{"field_name": "metrics.acc", "ascending": False, "dataset_name": "train", "dataset_digest": "abc"}]
    response = api.post("logged-models/search", {"experiment_ids": [models_with_dataset_metrics["experiment_id"]], "order_by": order})
    names = [model["info"]["name"] for model in response.json()["models"]]
    # Only `train` has acc on that dataset; models without a value sort after it.
    assert names[0] == "train" and sorted(names) == ["eval", "plain", "train"]


# ---- 5. registry without the run; the mlflow.modelVersions tag -----------------------------------------


@pytest.fixture
def model_name(client: MlflowClient) -> str:
    name = f"compat12-{uuid.uuid4().hex[:10]}"
    client.create_registered_model(name)
    return name


def test_version_of_a_run_from_another_tracking_server(api: RestApi, model_name: str, ghost_run_id: str) -> None:
    source = f"runs:/{ghost_run_id}/model"
    response = api.post("model-versions/create", {"name": model_name, "source": source, "run_id": ghost_run_id})
    assert response.status_code == 200, response.text
    version = response.json()["model_version"]
    assert (version["version"], version["source"], version["run_id"], version["status"]) == ("1", source, ghost_run_id, "READY")
    other_store = api.post("model-versions/create", {"name": model_name, "source": "s3://bucket/elsewhere/model", "run_id": ghost_run_id})
    assert other_store.status_code == 200, other_store.text


def test_runs_source_must_name_its_run(api: RestApi, model_name: str, ghost_run_id: str) -> None:
    source = f"runs:/{ghost_run_id}/model"
    expect_error(
        api.post("model-versions/create", {"name": model_name, "source": source}),
        400, "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: '{source}'. The run_id request parameter must identify the resource that contains the source.",
    )  # fmt: skip


def test_proxied_source_of_an_unknown_run_is_refused(api: RestApi, model_name: str, ghost_run_id: str) -> None:
    source = f"mlflow-artifacts:/0/{ghost_run_id}/artifacts/model"
    expect_error(
        api.post("model-versions/create", {"name": model_name, "source": source, "run_id": ghost_run_id}),
        400, "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: '{source}'. The run_id request parameter must identify the resource that contains the source.",
    )  # fmt: skip


def test_logged_model_with_a_source_run_from_elsewhere(client: MlflowClient, experiment_id: str, ghost_run_id: str) -> None:
    model = client.create_logged_model(experiment_id, name="elsewhere", source_run_id=ghost_run_id)
    assert model.source_run_id == ghost_run_id
    assert client.get_logged_model(model.model_id).source_run_id == ghost_run_id


def test_registering_a_logged_model_tags_it_with_its_versions(
    api: RestApi, client: MlflowClient, experiment_id: str, run_id: str, model_name: str
) -> None:
    model = client.create_logged_model(experiment_id, name="tagged", source_run_id=run_id)
    other = f"{model_name}-other"
    client.create_registered_model(other)
    body = {"source": f"models:/{model.model_id}", "model_id": model.model_id}
    created = [api.post("model-versions/create", {"name": name, **body}) for name in (model_name, model_name, other)]
    assert [r.status_code for r in created] == [200, 200, 200], [r.text for r in created]
    # The version inherits the logged model's source run.
    assert created[0].json()["model_version"]["run_id"] == run_id
    tag = client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]
    # json.dumps with its default separators; versions as numbers, in registration order.
    assert tag == json.dumps([{"name": model_name, "version": 1}, {"name": model_name, "version": 2}, {"name": other, "version": 1}])


# ---- 6. artifacts/list refuses invalid paths -----------------------------------------------------------


@pytest.fixture
def run_with_artifacts(api: RestApi, client: MlflowClient, run_id: str) -> str:
    put_artifact(api, f"{run_artifact_prefix(client, run_id)}/dir/a.txt", b"hello")
    return run_id


def list_artifacts(api: RestApi, **params: str) -> requests.Response:
    # RestApi.get takes the route as `path`, which is also this endpoint's parameter.
    return api.session.get(api.url("artifacts/list"), params=params, timeout=60)


def test_artifacts_list_lists_proxied_artifacts(api: RestApi, client: MlflowClient, run_with_artifacts: str) -> None:
    run_id = run_with_artifacts
    root_uri = client.get_run(run_id).info.artifact_uri
    assert list_artifacts(api, run_id=run_id).json() == {"root_uri": root_uri, "files": [{"path": "dir", "is_dir": True}]}
    assert list_artifacts(api, run_id=run_id, path="dir").json() == {
        "root_uri": root_uri,
        "files": [{"path": "dir/a.txt", "is_dir": False, "file_size": 5}],
    }
    assert list_artifacts(api, run_id=run_id, path="nope").json() == {"root_uri": root_uri}


@pytest.mark.parametrize("path", ["../x", "..", "/etc", "dir/../dir", "a#b", "file:///etc", "%2e%2e/x", "C:/x"])
def test_artifacts_list_refuses_invalid_paths(api: RestApi, run_with_artifacts: str, path: str) -> None:
    expect_error(list_artifacts(api, run_id=run_with_artifacts, path=path), 400, "INVALID_PARAMETER_VALUE", "Invalid path")


def test_artifacts_list_of_an_unknown_run(api: RestApi, ghost_run_id: str) -> None:
    expect_error(list_artifacts(api, run_id=ghost_run_id), 404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={ghost_run_id} not found")


# ---- 7. the prompt registry ---------------------------------------------------------------------------


@pytest.fixture
def prompt_name() -> str:
    return f"compat12-prompt-{uuid.uuid4().hex[:10]}"


def test_register_load_alias_and_search_prompts(client: MlflowClient, prompt_name: str) -> None:
    first = mlflow.genai.register_prompt(name=prompt_name, template="Hello {{name}}!", commit_message="first", tags={"team": "x"})
    assert (first.name, first.version, first.template, first.commit_message) == (prompt_name, 1, "Hello {{name}}!", "first")
    chat = [{"role": "user", "content": "Hi {{name}}"}]
    second = mlflow.genai.register_prompt(name=prompt_name, template=chat, commit_message="second")
    assert (second.version, second.template) == (2, chat)

    loaded = mlflow.genai.load_prompt(f"prompts:/{prompt_name}/1")
    assert (loaded.version, loaded.format(name="Ada")) == (1, "Hello Ada!")
    mlflow.genai.set_prompt_alias(prompt_name, alias="production", version=1)
    by_alias = mlflow.genai.load_prompt(f"prompts:/{prompt_name}@production")
    assert (by_alias.version, by_alias.aliases) == (1, ["production"])
    # `latest` is resolved by the server: the highest version.
    assert mlflow.genai.load_prompt(f"prompts:/{prompt_name}@latest").version == 2

    found = mlflow.genai.search_prompts(filter_string=f"name = '{prompt_name}'")
    assert [p.name for p in found] == [prompt_name]
    # Prompts are registered models the model-registry API does not show.
    assert client.search_registered_models(filter_string=f"name = '{prompt_name}'") == []

    mlflow.genai.delete_prompt_alias(prompt_name, "production")
    assert mlflow.genai.load_prompt(f"prompts:/{prompt_name}/1").aliases == []


def test_prompt_versions_need_a_placeholder_source(api: RestApi, prompt_name: str) -> None:
    # As the client's register_prompt does it (MlflowClient.create_registered_model refuses the tag).
    created = api.post("registered-models/create", {"name": prompt_name, "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]})
    assert created.status_code == 200, created.text
    tags = [{"key": "mlflow.prompt.is_prompt", "value": "true"}, {"key": "mlflow.prompt.text", "value": "Hi"}]
    for source in ("dummy-source", "prompt-template"):
        response = api.post("model-versions/create", {"name": prompt_name, "source": source, "tags": tags})
        assert response.status_code == 200, response.text
        assert response.json()["model_version"]["source"] == source
    expect_error(
        api.post("model-versions/create", {"name": prompt_name, "source": "s3://bucket/prompt", "tags": tags}),
        400, "INVALID_PARAMETER_VALUE", "Invalid prompt source: 's3://bucket/prompt'. Prompt sources must use an MLflow placeholder.",
    )  # fmt: skip


def test_missing_alias_is_invalid_parameter(api: RestApi, model_name: str) -> None:
    # Also what load_prompt("prompts:/name@alias") gets for an alias that does not exist.
    expect_error(
        api.get("registered-models/alias", name=model_name, alias="nope"), 400, "INVALID_PARAMETER_VALUE", "Registered model alias nope not found."
    )

