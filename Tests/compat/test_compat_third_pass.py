"""MLflow compatibility, third pass (issue 12, families 8-10): what MLflow 3.17.2's server answers.

One group per family of the issue:
8. registry details seen from the client: `search_model_versions` without `order_by` (most
   recently updated first), sources MLflow refuses (host-addressed schemes, relative references),
   `models:/` sources (logged models that do not exist, other registered versions by number,
   alias or `latest`), a missing alias;
9. values as MLflow returns them: +-Infinity as +-1.7976931348623157e308, params, tags and metrics
   in MLflow's order, empty strings MLflow writes, an empty artifact without `file_size`;
10. the rest of those families in MLflow's REST API and server tests: `get-history` paging and
   `max_results`, `get-history-bulk-interval` sampling and validation, `search_model_versions`
   filters, ordering, `max_results` and page tokens.

Every expected value was read from a real `mlflow server` 3.17.2 (SQLite backend,
--artifacts-destination); the suite passes with COMPAT_TARGET=mlflow. Where MLflow's message
holds a Python set (its order changes from one server process to the next), only the status and
`error_code` are compared.
"""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any

import pytest
import requests
from compat_support import TARGET_IS_MLFLOW, RestApi
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

API_DOCS = " See the API docs for more information about request parameters."
LARGEST = sys.float_info.max  # 1.7976931348623157e308


def expect_error(response: requests.Response, status: int, error_code: str, message: str | None = None) -> None:
    """MLflow's error answer: the status, `error_code` and (when given) the exact `message`."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert body.get("error_code") == error_code, body
    if message is not None:
        assert body.get("message") == message, body


def ajax(path: str) -> str:
    return f"/ajax-api/2.0/mlflow/{path}"


def registry_name(unique_name: str) -> str:
    """A registered-model name from the test's unique name (no '/' or ':', which MLflow refuses)."""
    return unique_name.replace("/", "-").replace(":", "-")


@pytest.fixture
def model_name(client: MlflowClient, unique_name: str) -> str:
    name = registry_name(unique_name)
    client.create_registered_model(name)
    return name


def create_version(api: RestApi, name: str, source: str, **fields: Any) -> requests.Response:
    return api.post("model-versions/create", {"name": name, "source": source, **fields})


def version_numbers(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text[:500]
    return [v["version"] for v in response.json().get("model_versions", [])]


# ---- 8. registry details seen from the client ---------------------------------------------------


def test_search_model_versions_without_order_by_lists_the_most_recently_updated_first(
    client: MlflowClient, api: RestApi, model_name: str, run_id: str
) -> None:
    for index in range(3):
        client.create_model_version(model_name, f"s3://bucket/model-{index}", run_id=run_id)
        time.sleep(0.01)
    client.update_model_version(model_name, "1", description="touched last")

    first = client.search_model_versions(f"name='{model_name}'", max_results=1)
    assert [v.version for v in first] == ["1"]
    assert version_numbers(api.get("model-versions/search", filter=f"name='{model_name}'")) == ["1", "3", "2"]


@pytest.mark.parametrize(
    "source",
    ["http://host/model", "https://host/model", "ftp://host/x", "hdfs://host/x", "mlflow-artifacts://host/x", "http:/x"],
)
def test_version_source_addressing_another_host_is_refused(api: RestApi, model_name: str, run_id: str, source: str) -> None:
    scheme = source.split(":", 1)[0]
    expect_error(
        create_version(api, model_name, source, run_id=run_id),
        400,
        "INVALID_PARAMETER_VALUE",
        f"'source' cannot use the '{scheme}' scheme: the '{scheme}' scheme addresses a host other than the tracking "
        "server's configured artifact storage, so the server would connect to the host named in the URI. Set the "
        "MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.",
    )


@pytest.mark.parametrize("source", ["s3://bucket/../x", "s3://bucket/a%2f..%2fx", "s3://bucket/x%00", "s3://bucket/./x"])
def test_version_source_with_relative_references_is_refused(api: RestApi, model_name: str, run_id: str, source: str) -> None:
    expect_error(
        create_version(api, model_name, source, run_id=run_id),
        400,
        "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: '{source}'. If supplying a source as an http, https, local file path, ftp, "
        "objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references "
        "present. Please provide an absolute path.",
    )


def test_missing_alias_answers_as_mlflow(api: RestApi, model_name: str) -> None:
    expect_error(
        api.get("registered-models/alias", name=model_name, alias="nope"),
        400,
        "INVALID_PARAMETER_VALUE",
        "Registered model alias nope not found.",
    )
    deleted = api.session.delete(api.url("registered-models/alias"), json={"name": model_name, "alias": "nope"}, timeout=60)
    assert (deleted.status_code, deleted.json()) == (200, {})
    ghost = f"no-such-model-{uuid.uuid4().hex[:8]}"
    expect_error(
        api.get("registered-models/alias", name=ghost, alias="nope"),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        f"Registered Model with name={ghost} not found",
    )


def test_logged_model_source_that_does_not_exist(api: RestApi, model_name: str) -> None:
    ghost = f"m-{uuid.uuid4().hex}"
    # MLflow's registry store wraps the failed lookup in a bare MlflowException: 500. Cairn keeps
    # the text but answers 400: bad input never gets a 5xx (the client retries 5xx for minutes).
    expect_error(
        create_version(api, model_name, f"models:/{ghost}", model_id=ghost),
        500 if TARGET_IS_MLFLOW else 400,
        "INTERNAL_ERROR" if TARGET_IS_MLFLOW else "INVALID_PARAMETER_VALUE",
        f"Unable to fetch model from model URI source artifact location 'models:/{ghost}'."
        f"Error: Logged model with ID '{ghost}' not found.",
    )
    expect_error(
        create_version(api, model_name, f"models:/{ghost}"),
        400,
        "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: 'models:/{ghost}'. The model_id request parameter must identify the "
        "resource that contains the source.",
    )
    expect_error(
        create_version(api, model_name, "s3://bucket/x", model_id=ghost),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        f"Logged model with ID '{ghost}' not found.",
    )


def test_logged_model_source_of_an_existing_model_needs_its_id(api: RestApi, model_name: str, experiment_id: str) -> None:
    model = api.post("logged-models", {"experiment_id": experiment_id, "name": "lm"}).json()["model"]["info"]
    model_id = model["model_id"]
    expect_error(
        create_version(api, model_name, f"models:/{model_id}"),
        400,
        "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: 'models:/{model_id}'. The model_id request parameter must identify the "
        "resource that contains the source.",
    )
    created = create_version(api, model_name, f"models:/{model_id}", model_id=model_id)
    assert created.status_code == 200, created.text[:500]
    assert created.json()["model_version"]["source"] == f"models:/{model_id}"


def test_registered_version_sources_resolve_as_mlflow_resolves_them(
    client: MlflowClient, api: RestApi, model_name: str, run_id: str
) -> None:
    for index in range(2):
        client.create_model_version(model_name, f"s3://bucket/model-{index}", run_id=run_id)
    client.set_registered_model_alias(model_name, "champ", "1")

    by_alias = create_version(api, model_name, f"models:/{model_name}@champ")
    assert by_alias.status_code == 200, by_alias.text[:500]
    assert (by_alias.json()["model_version"]["source"], by_alias.json()["model_version"]["run_id"]) == (
        f"models:/{model_name}/1",
        run_id,
    )
    latest = create_version(api, model_name, f"models:/{model_name}/latest")
    assert latest.json()["model_version"]["source"] == f"models:/{model_name}/3"
    by_number = create_version(api, model_name, f"models:/{model_name}/2")
    assert by_number.json()["model_version"]["source"] == f"models:/{model_name}/2"
    assert client.get_model_version_download_uri(model_name, by_number.json()["model_version"]["version"]) == "s3://bucket/model-1"

    expect_error(
        create_version(api, model_name, f"models:/{model_name}/1", run_id="another-run"),
        400,
        "INVALID_PARAMETER_VALUE",
        f"Invalid model version source: 'models:/{model_name}/1'. The run_id and model_id request parameters must "
        "match the referenced model version.",
    )
    expect_error(
        create_version(api, model_name, f"models:/{model_name}/99"),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        f"Model Version (name={model_name}, version=99) not found",
    )
    ghost = f"no-such-model-{uuid.uuid4().hex[:8]}"
    expect_error(
        create_version(api, model_name, f"models:/{ghost}/1"),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        f"Registered Model with name={ghost} not found",
    )


# ---- 9. values as MLflow returns them -----------------------------------------------------------


def test_infinite_metrics_come_back_as_the_largest_double(client: MlflowClient, api: RestApi, run_id: str) -> None:
    client.log_metric(run_id, "pos", float("inf"), step=0)
    client.log_batch(run_id, metrics=[Metric("neg", float("-inf"), 1_700_000_000_000, 0)])
    client.log_metric(run_id, "nan", float("nan"), step=0)

    wire = {m["key"]: m["value"] for m in api.get("runs/get", run_id=run_id).json()["run"]["data"]["metrics"]}
    assert wire == {"pos": LARGEST, "neg": -LARGEST, "nan": "NaN"}
    assert [m["value"] for m in api.get("metrics/get-history", run_id=run_id, metric_key="pos").json()["metrics"]] == [LARGEST]
    bulk = api.get(ajax("metrics/get-history-bulk-interval"), run_ids=run_id, metric_key="neg").json()["metrics"]
    assert [m["value"] for m in bulk] == [-LARGEST]
    # Stored as that number, it compares as that number.
    found = client.search_runs([client.get_run(run_id).info.experiment_id], "metrics.pos > 1e307 AND metrics.neg < -1e307")
    assert [r.info.run_id for r in found] == [run_id]


def test_run_params_tags_and_metrics_come_in_mlflow_order(client: MlflowClient, api: RestApi, experiment_id: str) -> None:
    run = api.post("runs/create", {"experiment_id": experiment_id, "tags": [{"key": "zz", "value": "1"}, {"key": "aa", "value": "2"}]})
    run_id = run.json()["run"]["info"]["run_id"]
    t = 1_700_000_000_000
    client.log_batch(
        run_id,
        metrics=[Metric("zeta", 1, t, 0), Metric("alpha", 2, t, 0), Metric("mid", 3, t, 0)],
        params=[Param("p_z", "1"), Param("p_a", "2"), Param("p_m", "3")],
        tags=[RunTag("t_z", "1"), RunTag("t_a", "2")],
    )
    client.set_tag(run_id, "aa", "changed")  # an update keeps its place
    client.set_tag(run_id, "mm", "new")
    client.log_metric(run_id, "beta", 4, timestamp=t, step=0)
    client.log_metric(run_id, "zeta", 5, timestamp=t + 1, step=3)

    for data in (
        api.get("runs/get", run_id=run_id).json()["run"]["data"],
        api.post("runs/search", {"experiment_ids": [experiment_id]}).json()["runs"][0]["data"],
    ):
        # Keys first stored in one batch: MLflow keeps the batch's order; Cairn stores them in key
        # order so that concurrent batches of a run lock their rows in one order (no deadlock).
        first_batch = ["zeta", "alpha", "mid"] if TARGET_IS_MLFLOW else ["alpha", "mid", "zeta"]
        assert [m["key"] for m in data["metrics"]] == first_batch + ["beta"]
        assert [p["key"] for p in data["params"]] == ["p_z", "p_a", "p_m"]
        assert [(tag["key"], tag["value"]) for tag in data["tags"] if tag["key"] != "mlflow.runName"] == [
            ("zz", "1"),
            ("aa", "changed"),
            ("t_z", "1"),
            ("t_a", "2"),
            ("mm", "new"),
        ]
        assert [tag["key"] for tag in data["tags"]][:3] == ["zz", "aa", "mlflow.runName"]


def test_logged_model_values_as_mlflow_writes_them(api: RestApi, experiment_id: str, run_id: str) -> None:
    created = api.post(
        "logged-models",
        {
            "experiment_id": experiment_id,
            "name": "lm",
            "params": [{"key": "q", "value": "1"}, {"key": "b", "value": "2"}],
            "tags": [{"key": "tz", "value": "1"}, {"key": "ta", "value": "2"}],
        },
    ).json()["model"]
    model_id = created["info"]["model_id"]
    assert (created["info"]["model_type"], created["info"]["source_run_id"]) == ("", "")
    t = 1_700_000_000_000
    api.post(
        "runs/log-batch",
        {
            "run_id": run_id,
            "metrics": [
                {"key": "mz", "value": "Infinity", "timestamp": t, "step": 0, "model_id": model_id},
                {"key": "ma", "value": 2, "timestamp": t, "step": 0, "model_id": model_id},
            ],
        },
    )
    for model in (
        api.get(f"logged-models/{model_id}").json()["model"],
        api.post("logged-models/search", {"experiment_ids": [experiment_id]}).json()["models"][0],
    ):
        assert (model["info"]["model_type"], model["info"]["source_run_id"]) == ("", "")
        # Tags and params by key (MLflow's primary key order), metrics as logged.
        assert [tag["key"] for tag in model["info"]["tags"]] == ["ta", "tz"]
        assert [p["key"] for p in model["data"]["params"]] == ["b", "q"]
        assert [(m["key"], m["value"]) for m in model["data"]["metrics"]] == [("mz", LARGEST), ("ma", 2.0)]


def test_model_version_writes_empty_fields(client: MlflowClient, api: RestApi, model_name: str) -> None:
    version = create_version(api, model_name, "s3://bucket/model").json()["model_version"]
    assert (version["description"], version["run_id"], version["run_link"]) == ("", "", "")
    listed = api.get("model-versions/search", filter=f"name='{model_name}'").json()["model_versions"][0]
    assert (listed["description"], listed["run_id"], listed["run_link"]) == ("", "", "")


def test_empty_artifact_has_no_file_size(client: MlflowClient, api: RestApi, experiment_id: str, run_id: str) -> None:
    root = client.get_run(run_id).info.artifact_uri.removeprefix("mlflow-artifacts:/").lstrip("/")
    for name, data in (("empty.txt", b""), ("full.txt", b"abc")):
        response = api.session.put(api.url(f"/api/2.0/mlflow-artifacts/artifacts/{root}/{name}"), data=data, timeout=60)
        assert response.status_code == 200, response.text[:300]
    expected = [{"path": "empty.txt", "is_dir": False}, {"path": "full.txt", "is_dir": False, "file_size": 3}]
    assert api.get("artifacts/list", run_id=run_id).json()["files"] == expected
    proxied = api.session.get(api.url("/api/2.0/mlflow-artifacts/artifacts"), params={"path": root}, timeout=60)
    assert proxied.json()["files"] == expected

    model = api.post("logged-models", {"experiment_id": experiment_id, "name": "lm"}).json()["model"]["info"]
    model_root = model["artifact_uri"].removeprefix("mlflow-artifacts:/").lstrip("/")
    api.session.put(api.url(f"/api/2.0/mlflow-artifacts/artifacts/{model_root}/empty.bin"), data=b"", timeout=60)
    listed = api.get(f"logged-models/{model['model_id']}/artifacts/directories").json()["files"]
    assert listed == [{"path": "empty.bin", "is_dir": False}]


# ---- 10. get-history, get-history-bulk-interval and search_model_versions -----------------------

# (step, timestamp, value), logged out of order: the history sorts by timestamp, step, value;
# the bulk interval by step, timestamp, value.
POINTS = [(3, 1005, 1.0), (1, 1001, 2.0), (2, 1001, 0.5), (0, 1000, 3.0), (4, 1001, 0.1)]


@pytest.fixture
def history_runs(api: RestApi, experiment_id: str) -> list[str]:
    runs = []
    for scale in (1, 10):
        run_id = api.post("runs/create", {"experiment_id": experiment_id}).json()["run"]["info"]["run_id"]
        metrics = [{"key": "m", "value": v, "timestamp": ts, "step": s * scale} for s, ts, v in POINTS]
        assert api.post("runs/log-batch", {"run_id": run_id, "metrics": metrics}).status_code == 200
        runs.append(run_id)
    return runs


def steps(response: requests.Response) -> list[Any]:
    assert response.status_code == 200, response.text[:500]
    return [(m["step"], m.get("run_id")) if "run_id" in m else m["step"] for m in response.json().get("metrics", [])]


def test_get_history_pages_by_max_results(api: RestApi, history_runs: list[str]) -> None:
    run_id = history_runs[0]
    assert steps(api.get("metrics/get-history", run_id=run_id, metric_key="m")) == [0, 1, 2, 4, 3]
    first = api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=2)
    assert steps(first) == [0, 1]
    token = first.json()["next_page_token"]
    second = api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=2, page_token=token)
    assert steps(second) == [2, 4]
    third = api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=2, page_token=second.json()["next_page_token"])
    assert steps(third) == [3] and "next_page_token" not in third.json()
    # A token without max_results: the rest of the history from its offset.
    assert steps(api.get("metrics/get-history", run_id=run_id, metric_key="m", page_token=token)) == [2, 4, 3]
    whole = api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=5)
    assert steps(whole) == [0, 1, 2, 4, 3] and "next_page_token" not in whole.json()
    assert steps(api.get("metrics/get-history", run_uuid=run_id, metric_key="m")) == [0, 1, 2, 4, 3]


def test_get_history_validation_and_unknown_runs(api: RestApi, history_runs: list[str]) -> None:
    run_id = history_runs[0]
    expect_error(
        api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=-1),
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value -1 for parameter 'max_results' supplied. It must be a positive integer.",
    )
    expect_error(
        api.get("metrics/get-history", run_id=run_id, metric_key="m", max_results=2, page_token="garbage"),
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid page token, could not base64-decode",
    )
    # MLflow does not look the run up: an unknown run, like an unknown key, has no history.
    unknown = api.get("metrics/get-history", run_id=uuid.uuid4().hex, metric_key="m")
    assert (unknown.status_code, unknown.json()) == (200, {})
    assert api.get("metrics/get-history", run_id=run_id, metric_key="other").json() == {}


def test_get_history_bulk_interval_samples_rows_as_mlflow(api: RestApi, history_runs: list[str]) -> None:
    a, b = history_runs
    bulk = ajax("metrics/get-history-bulk-interval")
    # Runs in the order given; each sampled on its own rows (NTILE buckets, the last row kept).
    assert steps(api.get(bulk, run_ids=[b, a], metric_key="m", max_results=2)) == [(0, b), (40, b), (0, a), (4, a)]
    assert steps(api.get(bulk, run_ids=[a], metric_key="m", max_results=1)) == [(4, a)]
    assert steps(api.get(bulk, run_ids=[a], metric_key="m", max_results=3)) == [(0, a), (2, a), (4, a)]
    assert steps(api.get(bulk, run_ids=[a], metric_key="m")) == [(s, a) for s in range(5)]
    assert steps(api.get(bulk, run_ids=[a], metric_key="m", start_step=1, end_step=3)) == [(1, a), (2, a), (3, a)]
    assert steps(api.get(bulk, run_ids=[a], metric_key="m", start_step=-5, end_step=2)) == [(0, a), (1, a), (2, a)]
    unknown = api.get(bulk, run_ids=[uuid.uuid4().hex], metric_key="m")
    assert (unknown.status_code, unknown.json()) == (200, {})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_step": 3, "end_step": 1}, "end_step must be greater than start_step. Found start_step=3 and end_step=1."),
        ({"end_step": 1}, "If either start step or end step are specified, both must be specified."),
        ({"max_results": 2501}, f"max_results must be between 1 and 2500.{API_DOCS}"),
        ({"max_results": 0}, f"max_results must be between 1 and 2500.{API_DOCS}"),
        (
            {"max_results": "x"},
            f"Invalid value \"x\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.{API_DOCS}",
        ),
        (
            {"start_step": 1, "end_step": "y"},
            f"Invalid value \"y\" for parameter 'end_step' supplied:  Hint: Value was of type 'str'.{API_DOCS}",
        ),
        ({"metric_key": ""}, f"Missing value for required parameter 'metric_key'.{API_DOCS}"),
    ],
    ids=["start-after-end", "end-only", "max-2501", "max-0", "max-text", "end-text", "empty-key"],
)
def test_get_history_bulk_interval_validation(api: RestApi, history_runs: list[str], params: dict[str, Any], message: str) -> None:
    query = {"run_ids": [history_runs[0]], "metric_key": "m", **params}
    expect_error(api.get(ajax("metrics/get-history-bulk-interval"), **query), 400, "INVALID_PARAMETER_VALUE", message)


@pytest.fixture
def registry_versions(client: MlflowClient, api: RestApi, unique_name: str, history_runs: list[str]) -> dict[str, Any]:
    """Two models, four versions (m v1, m v2, n v1, m v3) of two runs, each tagged k=<index>."""
    a, b = history_runs
    m, n = f"{registry_name(unique_name)}-m", f"{registry_name(unique_name)}-n"
    client.create_registered_model(m)
    client.create_registered_model(n)
    for index, (name, source, run) in enumerate([(m, "s3://b/a", a), (m, "s3://b/b", b), (n, "s3://b/c", a), (m, "s3://b/d", a)]):
        created = create_version(api, name, source, run_id=run, tags=[{"key": "k", "value": str(index)}])
        assert created.status_code == 200, created.text[:300]
        time.sleep(0.01)
    return {"m": m, "n": n, "a": a, "b": b}


def test_search_model_versions_filters(api: RestApi, registry_versions: dict[str, Any]) -> None:
    m, n, a, b = registry_versions["m"], registry_versions["n"], registry_versions["a"], registry_versions["b"]

    def search(filter_string: str) -> list[str]:
        return version_numbers(api.get("model-versions/search", filter=filter_string))

    assert search(f"name='{m}'") == ["3", "2", "1"]
    assert search(f"name LIKE '{m[:-6]}%-m'") == ["3", "2", "1"]
    assert search(f"name ILIKE '{m.upper()}'") == ["3", "2", "1"]
    assert search(f"run_id='{a}'") == ["3", "1", "1"]
    assert search(f"run_id IN ('{a}', '{b}')") == ["3", "1", "2", "1"]
    assert search(f"run_id IN ('{b}') AND name='{m}'") == ["2"]
    assert search(f"source_path='s3://b/b' AND name='{m}'") == ["2"]
    assert search(f"source_path LIKE 's3://b/%' AND run_id = '{b}'") == ["2"]
    assert search(f"tags.k='2' AND name='{n}'") == ["1"]
    assert search(f"tag.k = '2' AND name='{n}'") == ["1"]
    assert search(f"version_number=2 AND name='{m}'") == ["2"]
    assert search(f"version_number>1 AND name='{m}'") == ["3", "2"]
    assert search(f"name != '{m}' AND run_id='{a}'") == ["1"]
    assert search(f"name LIKE '{m}' AND tags.k != '0'") == ["3", "2"]
    assert search(f"name IN ('{m}', '{n}')") == ["3", "1", "2", "1"]
    assert search(f"run_id = '{a}' AND run_id = '{b}'") == []


@pytest.mark.parametrize(
    "filter_string",
    [
        "name='a' OR name='b'",
        "bogus='x'",
        "name = 5",
        "name='x' AND version_number='x'",
        "creation_timestamp > 0",
        "last_updated_timestamp > 0",
        "current_stage='None'",
        "status='READY'",
    ],
)
def test_search_model_versions_refuses_filters_mlflow_refuses(api: RestApi, filter_string: str) -> None:
    # MLflow's messages print Python sets, whose order changes between server processes.
    expect_error(api.get("model-versions/search", filter=filter_string), 400, "INVALID_PARAMETER_VALUE")


def test_search_model_versions_ordering(api: RestApi, registry_versions: dict[str, Any]) -> None:
    a, b, m, n = registry_versions["a"], registry_versions["b"], registry_versions["m"], registry_versions["n"]
    both = f"run_id IN ('{a}', '{b}')"

    def ordered(*order_by: str) -> list[tuple[str, str]]:
        response = api.get("model-versions/search", filter=both, order_by=list(order_by))
        assert response.status_code == 200, response.text[:300]
        return [(v["name"], v["version"]) for v in response.json()["model_versions"]]

    assert ordered("version_number ASC") == [(m, "1"), (n, "1"), (m, "2"), (m, "3")]
    assert ordered("name DESC") == [(n, "1"), (m, "3"), (m, "2"), (m, "1")]
    assert ordered("creation_timestamp") == [(m, "1"), (m, "2"), (n, "1"), (m, "3")]
    assert ordered("last_updated_timestamp ASC") == [(m, "1"), (m, "2"), (n, "1"), (m, "3")]
    assert ordered("name", "version_number") == [(m, "1"), (m, "2"), (m, "3"), (n, "1")]
    for key in ("bogus", "run_id", "source_path"):
        expect_error(api.get("model-versions/search", filter=both, order_by=[key]), 400, "INVALID_PARAMETER_VALUE")
    expect_error(
        api.get("model-versions/search", filter=both, order_by=["version_number", "version_number DESC"]),
        500 if TARGET_IS_MLFLOW else 400,  # MLflow: 500; Cairn keeps the text, never a 5xx for bad input
        "INTERNAL_ERROR" if TARGET_IS_MLFLOW else "INVALID_PARAMETER_VALUE",
        "`order_by` contains duplicate fields: ['version_number', 'version_number DESC']",
    )


def test_search_model_versions_max_results_and_pages(api: RestApi, registry_versions: dict[str, Any]) -> None:
    m = registry_versions["m"]
    for size in (0, -1):
        expect_error(
            api.get("model-versions/search", filter=f"name='{m}'", max_results=size),
            400,
            "INVALID_PARAMETER_VALUE",
            f"Invalid value for max_results. It must be a positive integer, but got {size}",
        )
    for text in ("200001", "abc"):
        expect_error(
            api.get("model-versions/search", filter=f"name='{m}'", max_results=text),
            400,
            "INVALID_PARAMETER_VALUE",
            f"Invalid value \"{text}\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.{API_DOCS}",
        )
    assert version_numbers(api.get("model-versions/search", filter=f"name='{m}'", max_results=200000)) == ["3", "2", "1"]
    first = api.get("model-versions/search", filter=f"name='{m}'", max_results=2)
    assert version_numbers(first) == ["3", "2"]
    rest = api.get("model-versions/search", filter=f"name='{m}'", max_results=2, page_token=first.json()["next_page_token"])
    assert version_numbers(rest) == ["1"] and "next_page_token" not in rest.json()
    expect_error(
        api.get("model-versions/search", filter=f"name='{m}'", page_token="garbage"),
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid page token, could not base64-decode",
    )
