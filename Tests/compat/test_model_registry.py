"""The model registry as the 3.x mlflow client drives it, on top of the training flow's logged model."""

from __future__ import annotations

import os
import uuid

import mlflow
import pytest
from compat_support import TARGET_IS_MLFLOW, RestApi, TrainingRun, assert_client_error
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient


@pytest.fixture
def model_name() -> str:
    return f"compat-model-{uuid.uuid4().hex[:10]}"


def test_register_alias_load_and_predict(client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    first = mlflow.register_model(f"runs:/{training_run.run_id}/model", model_name)
    assert first.version == "1"
    assert first.status == "READY"
    client.set_registered_model_alias(model_name, "champion", first.version)
    by_alias = client.get_model_version_by_alias(model_name, "champion")
    assert by_alias.version == "1"
    assert "champion" in by_alias.aliases

    model = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
    assert list(model.predict([1.0, 2.5])) == [2.0, 3.5]

    second = mlflow.register_model(f"runs:/{training_run.run_id}/model", model_name)
    assert second.version == "2"
    registered = client.get_registered_model(model_name)
    assert {alias: version for alias, version in registered.aliases.items()} == {"champion": "1"}


def test_tags_and_descriptions_round_trip(client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name, tags={"team": "fraud"}, description="first description")
    version = client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    client.set_registered_model_tag(model_name, "tier", "gold")
    client.set_model_version_tag(model_name, version.version, "validated", "true")
    client.update_registered_model(model_name, description="updated description")
    client.update_model_version(model_name, version.version, description="version description")

    registered = client.get_registered_model(model_name)
    assert registered.description == "updated description"
    assert registered.tags == {"team": "fraud", "tier": "gold"}
    fetched = client.get_model_version(model_name, version.version)
    assert fetched.description == "version description"
    assert fetched.tags == {"validated": "true"}
    assert fetched.run_id == training_run.run_id

    client.delete_registered_model_tag(model_name, "tier")
    client.delete_model_version_tag(model_name, version.version, "validated")
    assert client.get_registered_model(model_name).tags == {"team": "fraud"}
    assert client.get_model_version(model_name, version.version).tags == {}


def test_stage_transitions_and_latest_versions(client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name)
    for _ in range(3):
        client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    client.transition_model_version_stage(model_name, "1", "Production")
    moved = client.transition_model_version_stage(model_name, "2", "Production", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert client.get_model_version(model_name, "1").current_stage == "Archived"
    latest = {v.current_stage: v.version for v in client.get_latest_versions(model_name)}
    assert latest == {"Production": "2", "Archived": "1", "None": "3"}
    assert [v.version for v in client.get_latest_versions(model_name, stages=["Production"])] == ["2"]
    uri = client.get_model_version_download_uri(model_name, "2")
    assert uri == client.get_run(training_run.run_id).info.artifact_uri + "/model"


def test_searches_find_models_and_versions(client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name, tags={"purpose": "search"})
    client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    models = client.search_registered_models(filter_string=f"name = '{model_name}'")
    assert [m.name for m in models] == [model_name]
    like = client.search_registered_models(filter_string=f"name LIKE '{model_name[:-3]}%' AND tags.purpose = 'search'")
    assert model_name in [m.name for m in like]
    versions = client.search_model_versions(f"name = '{model_name}'", order_by=["version_number DESC"])
    assert [v.version for v in versions] == ["2", "1"]
    by_run = client.search_model_versions(f"run_id = '{training_run.run_id}' AND name = '{model_name}'")
    assert len(by_run) == 2


def test_rename_and_delete_round_trips(client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name)
    client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    client.set_registered_model_alias(model_name, "champion", "1")
    renamed = model_name + "-renamed"
    client.rename_registered_model(model_name, renamed)
    assert client.get_model_version_by_alias(renamed, "champion").version == "1"
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model(model_name)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    client.delete_registered_model_alias(renamed, "champion")
    client.delete_model_version(renamed, "1")
    with pytest.raises(MlflowException):
        client.get_model_version(renamed, "1")
    client.delete_registered_model(renamed)
    with pytest.raises(MlflowException):
        client.get_registered_model(renamed)

    client.delete_run(training_run.run_id)
    assert client.get_run(training_run.run_id).info.lifecycle_stage == "deleted"
    client.restore_run(training_run.run_id)
    assert client.get_run(training_run.run_id).info.lifecycle_stage == "active"


def test_reserved_alias_and_bad_names_are_client_errors(api: RestApi, client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name)
    client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    assert_client_error(api.post("registered-models/alias", {"name": model_name, "alias": "latest", "version": "1"}), "INVALID_PARAMETER_VALUE")
    assert_client_error(api.post("registered-models/alias", {"name": model_name, "alias": "v3", "version": "1"}), "INVALID_PARAMETER_VALUE")
    assert_client_error(api.post("registered-models/create", {"name": model_name}), "RESOURCE_ALREADY_EXISTS")
    assert_client_error(api.post("registered-models/create", {"name": "a/b"}), "INVALID_PARAMETER_VALUE")
    assert_client_error(api.get("registered-models/get", name="no-such-model"), "RESOURCE_DOES_NOT_EXIST")
    assert_client_error(
        api.post("model-versions/create", {"name": model_name, "source": f"runs:/{training_run.run_id}/model", "run_id": "0" * 32}),
        "INVALID_PARAMETER_VALUE",
    )


@pytest.mark.skipif(TARGET_IS_MLFLOW, reason="the audit log is Cairn's own API")
def test_audit_log_records_registry_changes(api: RestApi, client: MlflowClient, training_run: TrainingRun, model_name: str) -> None:
    client.create_registered_model(model_name)
    client.create_model_version(model_name, f"runs:/{training_run.run_id}/model", run_id=training_run.run_id)
    client.set_registered_model_alias(model_name, "champion", "1")
    response = api.get("/api/cairn/v1/audit", entity=f"model:{model_name}")
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert [e["action"] for e in events] == ["set_registered_model_alias", "create_model_version", "create_registered_model"]
    # With --auth token (scripts/test.sh seeds the admin token as `admin-env`) the actor is the
    # token's name, never its secret.
    expected_actor = "admin-env" if os.environ.get("COMPAT_AUTH") == "1" else "anonymous"
    assert all(e["actor"] == expected_actor for e in events)
    for secret in (os.environ.get("MLFLOW_TRACKING_TOKEN"), os.environ.get("MLFLOW_TRACKING_PASSWORD")):
        assert not secret or secret not in response.text
    assert '"champion"' in events[0]["after"]
