#!/usr/bin/env python3
"""Builds Cairn's OpenAPI 3.1 document from the route table below (the source of truth).

    scripts/openapi/generate.py            write Sources/CairnServer/Resources/openapi.json
    scripts/openapi/generate.py --check    fail unless that file is up to date and its operations
                                           equal scripts/openapi/routes.txt

The route table mirrors the Swift controllers (Sources/CairnServer/Controllers): request fields
as the controllers decode them, responses as JSONWriter+Entities/+Registry write them (int64 as
JSON numbers, NaN/Infinity as strings, empty lists and unset optionals omitted), errors as
APIErrorMiddleware writes them. scripts/openapi/routes.txt is the served route inventory (what
Tests/CairnServerTests/OpenAPIDocumentTests.swift compares the document with; regenerate it with
`CAIRN_ROUTE_INVENTORY=scripts/openapi/routes.txt swift test --filter OpenAPIDocumentTests`).

Field notation in the tables: a trailing `*` marks a required field; values are JSON Schemas
built by the helpers below. Standard library only.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Sources/CairnServer/Resources/openapi.json"
INVENTORY = ROOT / "scripts/openapi/routes.txt"
VERSION = "0.1.0"  # CairnVersion.current

# ---- schema helpers ------------------------------------------------------------------------------


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def obj(fields: dict, *, closed: bool = True, **extra) -> dict:
    """An object from {"name": schema, "required_name*": schema}; closed = no other properties."""
    properties, required = {}, []
    for name, schema in fields.items():
        if name.endswith("*"):
            name = name[:-1]
            required.append(name)
        properties[name] = schema
    out = {"type": "object", "properties": properties, **extra}
    if required:
        out["required"] = required
    if closed:
        out["additionalProperties"] = False
    return out


STR = {"type": "string"}
BOOL = {"type": "boolean"}
INT64 = {"type": "integer", "format": "int64"}
# What the server writes for a double: a JSON number, or one of MLflow's strings for NaN/±Inf.
DOUBLE_OUT = {"anyOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]}
# What the server accepts (FlexibleValues.swift): lenient like MLflow's proto3 JSON parser.
INT64_IN = {
    "description": "An int64: a JSON number or a decimal string.",
    "anyOf": [INT64, {"type": "string", "pattern": "^[+-]?[0-9]{1,18}$"}],
}
DOUBLE_IN = {
    "description": 'A double: a JSON number, a numeric string, "NaN", "Infinity", "-Infinity", or a boolean (true = 1).',
    "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}],
}
STR_IN = {"description": "A string; numbers and booleans are accepted and converted.", "anyOf": [STR, {"type": "number"}, BOOL]}
ID_IN = {"description": "An id as a string (numbers are accepted and converted).", "anyOf": [STR, {"type": "integer", "format": "int64"}]}
EMPTY = obj({}, description="An empty object: what MLflow answers for writes.")
VIEW_TYPE = {"type": "string", "enum": ["ACTIVE_ONLY", "DELETED_ONLY", "ALL", "1", "2", "3"]}
RUN_STATUS = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
STAGES = ["None", "Staging", "Production", "Archived"]

KEY_VALUE_IN = obj({"key*": STR, "value": STR_IN}, closed=False, description="A tag; a missing value counts as the empty string.")
PARAM_IN = obj({"key*": STR, "value*": STR_IN}, closed=False)
METRIC_FIELDS = {
    "key*": STR,
    "value*": DOUBLE_IN,
    "timestamp*": {**INT64_IN, "description": "Milliseconds since the epoch, >= 0 (number or decimal string)."},
    "step": INT64_IN,
    "run_id": STR,
    "model_id": STR,
    "dataset_name": STR,
    "dataset_digest": STR,
}

# ---- entities (responses) ------------------------------------------------------------------------

SCHEMAS: dict[str, dict] = {
    "Error": obj(
        {"error_code*": {"type": "string", "examples": ["INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "UNAUTHENTICATED"]}, "message*": STR},
        closed=False,
        description="MLflow's error body. Codes and statuses: INVALID_PARAMETER_VALUE, BAD_REQUEST, RESOURCE_ALREADY_EXISTS 400; "
        "UNAUTHENTICATED 401; PERMISSION_DENIED 403; RESOURCE_DOES_NOT_EXIST, ENDPOINT_NOT_FOUND 404; METHOD_NOT_ALLOWED 405; "
        "RESOURCE_CONFLICT 409; REQUEST_LIMIT_EXCEEDED 413 (body too large) and 429 (rate limit); IDEMPOTENCY_KEY_REUSED 422; "
        "INTERNAL_ERROR 500; "
        "NOT_IMPLEMENTED 501; BAD_GATEWAY 502; TEMPORARILY_UNAVAILABLE 503.",
    ),
    "Tag": obj({"key*": STR, "value*": STR}),
    "Param": obj({"key*": STR, "value*": STR}),
    "Metric": obj(
        {"key*": STR, "value*": DOUBLE_OUT, "timestamp*": INT64, "step*": INT64, "dataset_name": STR, "dataset_digest": STR, "run_id": STR,
         "model_id": STR},
        description="A metric point; `value` is a number or \"NaN\"/\"Infinity\"/\"-Infinity\". Only a logged model's metrics carry a dataset.",
    ),
    "Experiment": obj(
        {
            "experiment_id*": STR,
            "name*": STR,
            "artifact_location*": STR,
            "lifecycle_stage*": {"type": "string", "enum": ["active", "deleted"]},
            "last_update_time*": INT64,
            "creation_time*": INT64,
            "tags": array(ref("Tag")),
        }
    ),
    "RunInfo": obj(
        {
            "run_id*": STR,
            "run_uuid*": STR,
            "run_name*": STR,
            "experiment_id*": STR,
            "user_id*": STR,
            "status*": {"type": "string", "enum": RUN_STATUS},
            "start_time*": INT64,
            "end_time": INT64,
            "artifact_uri*": STR,
            "lifecycle_stage*": {"type": "string", "enum": ["active", "deleted"]},
        }
    ),
    "Dataset": obj(
        {"name*": STR, "digest*": STR, "source_type*": STR, "source*": STR, "schema": STR, "profile": STR},
    ),
    "Run": obj(
        {
            "info*": ref("RunInfo"),
            "data*": obj({"metrics": array(ref("Metric")), "params": array(ref("Param")), "tags": array(ref("Tag"))}),
            "inputs*": obj(
                {
                    "dataset_inputs": array(obj({"tags": array(ref("Tag")), "dataset*": ref("Dataset")})),
                    "model_inputs": array(obj({"model_id*": STR})),
                }
            ),
            "outputs*": obj({"model_outputs": array(obj({"model_id*": STR, "step*": INT64}))}),
        },
        description="A run; `data.metrics` holds the latest value of each metric key.",
    ),
    "LoggedModel": obj(
        {
            "info*": obj(
                {
                    "model_id*": STR,
                    "experiment_id*": STR,
                    "name*": STR,
                    "creation_timestamp_ms*": INT64,
                    "last_updated_timestamp_ms*": INT64,
                    "artifact_uri*": STR,
                    "status*": {"type": "string", "examples": ["LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"]},
                    "model_type": STR,
                    "source_run_id": STR,
                    "status_message": STR,
                    "tags": array(ref("Tag")),
                }
            ),
            "data*": obj({"params": array(ref("Param")), "metrics": array(ref("Metric"))}),
        }
    ),
    "ModelVersion": obj(
        {
            "name*": STR,
            "version*": {"type": "string", "pattern": "^[0-9]+$", "description": "The version number as a decimal string."},
            "creation_timestamp*": INT64,
            "last_updated_timestamp*": INT64,
            "user_id": STR,
            "current_stage*": {"type": "string", "enum": STAGES},
            "description": STR,
            "source*": STR,
            "run_id": STR,
            "status*": {"type": "string", "examples": ["READY"]},
            "tags": array(ref("Tag")),
            "run_link": STR,
            "aliases": array(STR),
        }
    ),
    "RegisteredModel": obj(
        {
            "name*": STR,
            "creation_timestamp*": INT64,
            "last_updated_timestamp*": INT64,
            "user_id": STR,
            "description": STR,
            "latest_versions": array(ref("ModelVersion")),
            "tags": array(ref("Tag")),
            "aliases": array(obj({"alias*": STR, "version*": {"type": "string", "pattern": "^[0-9]+$"}})),
        }
    ),
    "FileInfo": obj(
        {"path*": {"type": "string", "description": "Relative to the listed directory."}, "is_dir*": BOOL, "file_size": INT64}
    ),
    "AuditEvent": obj(
        {
            "id*": INT64,
            "entity*": STR,
            "action*": STR,
            "actor*": {"type": "string", "description": "The name of the token that made the change (never the secret)."},
            "timestamp*": INT64,
            "before": {"type": "string", "description": "JSON of the entity before the change."},
            "after": {"type": "string", "description": "JSON of the entity after the change."},
        }
    ),
    "Token": obj(
        {
            "name*": STR,
            "scope*": {"type": "string", "enum": ["read", "write", "admin"]},
            "created_at*": INT64,
            "expires_at": INT64,
            "last_used_at": INT64,
            "revoked_at": INT64,
            "allowed_targets": array(STR),
        },
        description="An API token's metadata; the secret is never listed.",
    ),
    "Target": obj(
        {
            "name*": STR,
            "kind*": {"type": "string", "enum": ["kserve", "deployment"]},
            "namespace*": STR,
            "webhook_secret_configured*": {**BOOL, "description": "Whether a webhook secret (the target's or CAIRN_WEBHOOK_SECRET) is set."},
            "kubeconfig": STR,
            "context": STR,
            "object_name": STR,
            "deployment_mode": {"type": "string", "description": "kserve targets, e.g. `RawDeployment` or `Serverless`."},
            "model_format": {"type": "string", "description": "kserve targets."},
            "runtime": {"type": "string", "description": "kserve targets."},
            "protocol_version": {"type": "string", "description": "kserve targets, e.g. `v1` or `v2`."},
            "image": {"type": "string", "description": "deployment targets."},
            "storage_initializer_image": {"type": "string", "description": "deployment targets."},
            "s3_credentials_secret": {"type": "string", "description": "deployment targets."},
            "s3_endpoint": {"type": "string", "description": "deployment targets."},
            "s3_use_https": {"type": "boolean", "description": "deployment targets."},
            "s3_region": {"type": "string", "description": "deployment targets."},
            "s3_verify_ssl": {"type": "boolean", "description": "deployment targets."},
            "port": {"type": "integer", "description": "deployment targets."},
            "service_account": STR,
            "resources": {"type": "object", "description": "`{requests, limits}`: quantities as strings."},
            "node_selector": obj({}, closed=False, additionalProperties=STR),
            "tolerations": array({"type": "object"}),
            "min_replicas": {"type": "integer"},
            "max_replicas": {"type": "integer"},
            "storage_uri_prefix": STR,
            "alias_on_ready": STR,
            "ready_timeout": {"type": "string", "examples": ["10m"]},
            "ready_timeout_seconds": {"type": "integer"},
            "rollback_on_failure": BOOL,
        },
        closed=False,
        description="A promotion target's settings under their targets-file names, defaults filled in, without secrets "
        "(`webhook_secret_env` is left out). Settings of the other kind, unset options and future settings may be absent or added.",
    ),
    "Deployment": obj(
        {
            "id*": {"type": "string", "description": "`d-` and 32 hex characters."},
            "model*": STR,
            "version*": {"type": "string", "pattern": "^[0-9]+$", "description": "The model version as a decimal string."},
            "target*": STR,
            "status*": {"type": "string", "enum": ["pending", "applying", "waiting", "ready", "failed", "rolled_back"]},
            "manifest*": array({"type": "object"}, description="The rendered objects, as applied (empty before rendering)."),
            "message*": {"type": "string", "description": "What happened last (a failure's reason, a rollback's origin); may be empty."},
            "previous_deployment_id": {"type": "string", "description": "The deployment serving before this one (the rollback point)."},
            "actor*": {"type": "string", "description": "The token name that asked for it (`webhook` for the CI webhook)."},
            "created_at*": INT64,
            "updated_at*": INT64,
        },
        description="An entry of the deployment ledger; times are milliseconds since the epoch.",
    ),
    "PromotionStarted": obj(
        {
            "deployment_id*": STR,
            "status*": {"type": "string", "enum": ["pending", "applying", "waiting", "ready", "failed", "rolled_back"]},
            "status_url*": {"type": "string", "description": "`/api/cairn/v1/deployments/<deployment_id>`: poll it for the outcome."},
        },
        description="A promotion or rollback recorded in the ledger and under way.",
    ),
    "DryRunReport": obj(
        {
            "dry_run*": {"type": "boolean", "const": True},
            "model*": STR,
            "version*": {"type": "string", "pattern": "^[0-9]+$"},
            "target*": STR,
            "storage_uri*": {"type": "string", "description": "Where the rendered objects load the model from."},
            "warnings": array(STR),
            "manifests*": array({"type": "object"}, description="The rendered objects, in apply order."),
            "server_results*": array({"type": "object"}, description="The cluster's server-side dry run of each manifest, in the same order."),
        },
        description="A dry-run promotion: what would be applied; nothing is applied or recorded.",
    ),
}

# ---- operations ----------------------------------------------------------------------------------
#
# op(method, path, operation_id, tag, scope, summary, query=…, body=…, ok=…, errors=…, …)
#   scope     read | write | admin | open (RouteTable.swift: GET read, POST/PUT/PATCH write,
#             DELETE admin, unless the controller overrides it)
#   query     {"name*": schema}: query parameters; arrays are repeated keys (`a=1&a=2`)
#   body      {"name*": schema}: a JSON body object (an empty body counts as {})
#   ok        the 200 JSON schema; None when `responses` is given instead
#   errors    extra documented error statuses besides 400/401/403/429/default
#   headers   {"Name*": schema}: request headers
#   responses {status: response object}: documented as given (an open operation gets no automatic
#             error responses, so it lists its own)


class Op:
    def __init__(self, method, path, operation_id, tag, scope, summary, *, query=None, body=None, ok=None, errors=(),
                 responses=None, raw_body=None, description=None, path_params=None, headers=None):
        self.method, self.path, self.operation_id, self.tag, self.scope = method, path, operation_id, tag, scope
        self.summary, self.query, self.body, self.ok, self.errors = summary, query, body, ok, tuple(errors)
        self.responses, self.raw_body, self.description = responses, raw_body, description
        self.path_params, self.headers = path_params or {}, headers or {}


def reply(fields: dict) -> dict:
    """A 200 body object; the server may add nothing else."""
    return obj(fields)


EXP = "/api/2.0/mlflow/experiments"
RUNS = "/api/2.0/mlflow/runs"
RM = "/api/2.0/mlflow/registered-models"
MV = "/api/2.0/mlflow/model-versions"
LM = "/api/2.0/mlflow/logged-models"
ART = "/api/2.0/mlflow-artifacts"

SEARCH_QUERY = {"filter": STR, "max_results": INT64, "order_by": array(STR), "page_token": STR}
RUN_REF = {"run_id": STR, "run_uuid": {**STR, "description": "Legacy alias of run_id, used when run_id is absent."}}
RUN_REF_NOTE = "One of `run_id` or `run_uuid` is required."
ARTIFACT_PATH = {"type": "string", "minLength": 1, "description": "A path relative to the artifact root; may contain `/`. `..` segments are refused (400)."}
MODEL_ID = {"type": "string", "minLength": 1, "description": "A logged model id (`m-<32 hex>`)."}
NAME_VERSION = {"name*": STR, "version*": STR_IN}
CAIRN = "/api/cairn/v1"


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def accepted() -> dict:
    """The 202 of a promotion or rollback that was recorded and started."""
    return json_response("Accepted: recorded in the ledger and under way; poll `status_url`", ref("PromotionStarted"))


def webhook_error(description: str) -> dict:
    return json_response(description, ref("Error"))


PROMOTION_BODY = {
    "model*": {"type": "string", "minLength": 1, "description": "The registered model's name."},
    "version": {"description": "The version to promote (a decimal string; an integer is accepted). Give `version` or `alias`, not both.",
                "anyOf": [{"type": "string", "pattern": "^[0-9]+$"}, {"type": "integer", "minimum": 1}]},
    "alias": {"type": "string", "minLength": 1, "description": "Promote the version this alias points at."},
    "target*": {"type": "string", "minLength": 1, "description": "A declared promotion target."},
    "dry_run": {**BOOL, "description": "Render and server-side validate only (200 with the report); nothing is applied or recorded."},
}
MAY_PROMOTE = "With authentication on, needs an admin token or a write token whose `allowed_targets` include the target (403 otherwise)."
PROMOTION_ERRORS = ("404 for an unknown model, version, alias or target; 400 for a source that cannot be turned into a storage URI "
                    "or manifests the cluster rejects; 409 while another promotion holds the target or another model uses the "
                    "object name; 502/503 when the cluster cannot be reached.")
HTML_PAGE = {"description": "An HTML page (Content-Security-Policy: default-src 'self', script only /static/cairn.js)",
             "content": {"text/html": {"schema": STR}}}
# A dashboard form's refusal: the page in the server's words, or MLflow's JSON error when the browser
# guard (--auth none) refuses the request before the page is reached.
HTML_OR_ERROR = {"description": "The refusal, as a page or as MLflow's JSON error",
                 "content": {"text/html": {"schema": STR}, "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
# A chart view's URL: x axis, smoothing, log-scaled metrics, zoomed range (in the axis' units).
CHART_VIEW = {"x": {"type": "string", "enum": ["step", "wall", "relative"]}, "smooth": {"type": "number", "minimum": 0, "maximum": 0.99},
              "log": STR, "from": INT64, "to": INT64}
SIGN_IN_FIRST = {"description": "With --auth token and no session or token: to the sign-in form", "headers": {
    "Location": {"schema": {"type": "string"}, "description": "`/signin?next=<this page>`"}}}
REPLAYED = {"Idempotent-Replayed": {"schema": {"type": "string", "const": "true"},
                                    "description": "Present (`true`) when this is the stored answer to an earlier request with the same key."}}

OPERATIONS: list[Op] = [
    # -- system ---------------------------------------------------------------------------------
    Op("GET", "/health", "health", "system", "open", "Liveness: always `OK` while the process serves.",
       responses={"200": {"description": "Alive", "content": {"text/plain": {"schema": {"type": "string", "const": "OK"}}}}}),
    Op("GET", "/ready", "ready", "system", "open", "Readiness: 200 when the database answers and the server is not shutting down, 503 otherwise.",
       responses={
           "200": {"description": "Ready", "content": {"text/plain": {"schema": {"type": "string", "const": "READY"}}}},
           "503": {"description": "The database does not answer", "content": {"text/plain": {"schema": STR}}},
       }),
    Op("GET", "/livez", "livez", "system", "open", "Kubernetes liveness: always `OK` while the process serves (never touches the database).",
       responses={"200": {"description": "Alive", "content": {"text/plain": {"schema": {"type": "string", "const": "OK"}}}}}),
    Op("GET", "/readyz", "readyz", "system", "open",
       "Kubernetes readiness: the database answers, its schema is at least the one this server migrates to, the artifact store answers, and the server is not shutting down.",
       responses={
           "200": {"description": "Ready", "content": {"application/json": {"schema": obj({"status*": {"const": "ready"}, "failures*": obj({})})}}},
           "503": {"description": "Not ready: one reason per failed check (startup, shutdown, database, schema, artifacts)",
                   "content": {"application/json": {"schema": obj({"status*": {"const": "not ready"},
                                                                    "failures*": obj({}, closed=False, additionalProperties=STR)})}}},
       }),
    Op("GET", "/startupz", "startupz", "system", "open", "Kubernetes startup: 200 once migrations are done and the server serves.",
       responses={
           "200": {"description": "Started", "content": {"text/plain": {"schema": {"type": "string", "const": "STARTED"}}}},
           "503": {"description": "Still migrating", "content": {"text/plain": {"schema": STR}}},
       }),
    Op("GET", "/metrics", "metrics", "system", "read",
       "The server's figures in the Prometheus text format 0.0.4 (requests by route and status, database pool and latency, "
       "metrics ingested, artifact bytes, promotions, webhook calls, build info). Also served alone on `--metrics-port`.",
       responses={"200": {"description": "Prometheus exposition", "content": {"text/plain": {"schema": STR}}}}),
    Op("GET", "/version", "version", "system", "read", "Cairn's release version as plain text.",
       responses={"200": {"description": "The version", "content": {"text/plain": {"schema": STR}}}}),
    Op("GET", "/api/cairn/v1/whoami", "whoami", "system", "read", "Who the server takes the caller for (what `cairn doctor` checks).",
       ok=reply({"actor*": STR, "authentication*": {"type": "string", "enum": ["token", "none"]},
                 "scope*": {"type": "string", "enum": ["read", "write", "admin"]}, "allowed_targets": array(STR), "expires_at": INT64})),
    Op("GET", "/api/3.0/mlflow/server-info", "serverInfo", "system", "read", "MLflow 3's server capabilities.",
       ok=reply({
           "store_type*": STR, "workspaces_enabled*": BOOL, "trace_archival_enabled*": BOOL, "multipart_uploads_enabled*": BOOL,
           "multipart_downloads_enabled*": BOOL, "presigned_upload_run_id_supported*": BOOL, "presigned_upload_model_id_supported*": BOOL,
           "features_enabled*": obj({"gateway*": BOOL}),
       })),
    Op("GET", "/api/openapi.json", "openapi", "system", "read", "This document.",
       responses={"200": {"description": "The OpenAPI 3.1 document", "content": {"application/json": {"schema": {"type": "object"}}}}}),
    # -- experiments ----------------------------------------------------------------------------
    Op("POST", f"{EXP}/create", "createExperiment", "experiments", "write", "Create an experiment.",
       body={"name*": STR, "artifact_location": STR, "tags": array(KEY_VALUE_IN)},
       ok=reply({"experiment_id*": STR})),
    Op("GET", f"{EXP}/get", "getExperiment", "experiments", "read", "Get an experiment by id.",
       query={"experiment_id*": STR}, ok=reply({"experiment*": ref("Experiment")}), errors=["404"]),
    Op("GET", f"{EXP}/get-by-name", "getExperimentByName", "experiments", "read", "Get an experiment by name.",
       query={"experiment_name*": STR}, ok=reply({"experiment*": ref("Experiment")}), errors=["404"]),
    Op("POST", f"{EXP}/search", "searchExperiments", "experiments", "read", "Search experiments.",
       body={"max_results": INT64_IN, "page_token": STR, "filter": STR, "order_by": array(STR), "view_type": {"anyOf": [VIEW_TYPE, {"type": "integer"}]}},
       ok=reply({"experiments": array(ref("Experiment")), "next_page_token": STR})),
    Op("GET", f"{EXP}/search", "searchExperimentsGet", "experiments", "read", "Search experiments (query parameters).",
       query={"max_results": INT64, "page_token": STR, "filter": STR, "order_by": array(STR), "view_type": VIEW_TYPE},
       ok=reply({"experiments": array(ref("Experiment")), "next_page_token": STR})),
    Op("POST", f"{EXP}/update", "updateExperiment", "experiments", "write", "Rename an experiment.",
       body={"experiment_id*": ID_IN, "new_name": STR}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{EXP}/delete", "deleteExperiment", "experiments", "admin", "Soft-delete an experiment.",
       body={"experiment_id*": ID_IN}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{EXP}/restore", "restoreExperiment", "experiments", "write", "Restore a deleted experiment.",
       body={"experiment_id*": ID_IN}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{EXP}/set-experiment-tag", "setExperimentTag", "experiments", "write", "Set an experiment tag.",
       body={"experiment_id*": ID_IN, "key*": STR, "value*": STR_IN}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{EXP}/delete-experiment-tag", "deleteExperimentTag", "experiments", "write", "Delete an experiment tag.",
       body={"experiment_id*": ID_IN, "key*": STR}, ok=EMPTY, errors=["404"]),
    # -- runs -----------------------------------------------------------------------------------
    Op("POST", f"{RUNS}/create", "createRun", "runs", "write", "Create a run (in experiment 0 when no experiment_id is given).",
       body={"experiment_id": STR, "user_id": STR, "run_name": STR, "start_time": INT64_IN, "tags": array(KEY_VALUE_IN)},
       ok=reply({"run*": ref("Run")}), errors=["404"]),
    Op("GET", f"{RUNS}/get", "getRun", "runs", "read", "Get a run.", description=RUN_REF_NOTE,
       query=RUN_REF, ok=reply({"run*": ref("Run")}), errors=["404"]),
    Op("POST", f"{RUNS}/update", "updateRun", "runs", "write", "Update a run's status, end time or name.", description=RUN_REF_NOTE,
       body={**RUN_REF, "status": {"anyOf": [{"type": "string", "enum": RUN_STATUS}, STR_IN]}, "end_time": INT64_IN, "run_name": STR},
       ok=reply({"run_info*": ref("RunInfo")}), errors=["404"]),
    Op("POST", f"{RUNS}/delete", "deleteRun", "runs", "admin", "Soft-delete a run.", description=RUN_REF_NOTE,
       body=RUN_REF, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/restore", "restoreRun", "runs", "write", "Restore a deleted run.", description=RUN_REF_NOTE,
       body=RUN_REF, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/log-metric", "logMetric", "runs", "write", "Log one metric point.", description=RUN_REF_NOTE,
       body={**RUN_REF, **{k: v for k, v in METRIC_FIELDS.items() if k != "run_id"}}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/log-parameter", "logParam", "runs", "write", "Log a parameter (write-once).", description=RUN_REF_NOTE,
       body={**RUN_REF, "key*": STR, "value*": STR}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/set-tag", "setTag", "runs", "write", "Set a run tag.", description=RUN_REF_NOTE,
       body={**RUN_REF, "key*": STR, "value*": STR}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/delete-tag", "deleteTag", "runs", "write", "Delete a run tag.", description=RUN_REF_NOTE,
       body={**RUN_REF, "key*": STR}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/log-batch", "logBatch", "runs", "write",
       "Log metrics, params and tags at once (at most 1000 metrics, 100 params, 100 tags).", description=RUN_REF_NOTE,
       body={**RUN_REF, "metrics": array(obj(METRIC_FIELDS, closed=False)), "params": array(PARAM_IN), "tags": array(KEY_VALUE_IN)},
       ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/search", "searchRuns", "runs", "read", "Search runs.",
       body={"experiment_ids": array(ID_IN), "filter": STR, "run_view_type": {"anyOf": [VIEW_TYPE, {"type": "integer"}]},
             "max_results": INT64_IN, "order_by": array(STR), "page_token": STR},
       ok=reply({"runs": array(ref("Run")), "next_page_token": STR})),
    Op("POST", f"{RUNS}/log-inputs", "logInputs", "runs", "write", "Log dataset and model inputs of a run.",
       body={"run_id*": STR,
             "datasets": array(obj({"tags": array(KEY_VALUE_IN), "dataset*": obj(
                 {"name*": STR, "digest*": STR, "source_type": STR, "source": STR, "schema": STR, "profile": STR}, closed=False)}, closed=False)),
             "models": array(obj({"model_id*": STR}, closed=False))},
       ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/outputs", "logOutputs", "runs", "write", "Log model outputs of a run.",
       body={"run_id*": STR, "models": array(obj({"model_id*": STR, "step": INT64_IN}, closed=False))}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RUNS}/log-model", "logModel", "runs", "write",
       "Legacy log-model: appends model_json to the run's `mlflow.log-model.history` tag.", description=RUN_REF_NOTE,
       body={**RUN_REF, "model_json*": STR}, ok=EMPTY, errors=["404"]),
    # -- metrics and the legacy run artifact list ----------------------------------------------
    Op("GET", "/api/2.0/mlflow/metrics/get-history", "getMetricHistory", "metrics", "read",
       "A metric's full history, ordered by (timestamp, step, value); paged when max_results is given.", description=RUN_REF_NOTE,
       query={**RUN_REF, "metric_key*": STR, "max_results": {**INT64, "minimum": 1, "maximum": 2147483647}, "page_token": STR},
       ok=reply({"metrics": array(ref("Metric")), "next_page_token": STR}), errors=["404"]),
    Op("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", "getMetricHistoryBulkInterval", "metrics", "read",
       "Sampled histories of one metric over up to 100 runs (points carry run_id).",
       query={"run_ids*": array(STR, minItems=1, maxItems=100), "metric_key*": STR, "start_step": INT64, "end_step": INT64,
              "max_results": {**INT64, "minimum": 1, "maximum": 2500}},
       ok=reply({"metrics": array(ref("Metric"))}), errors=["404"]),
    Op("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", "getMetricHistoryBulk", "metrics", "read",
       "MLflow's UI route (under /ajax-api only): every point of one metric of up to 100 runs, unsampled, ordered by run id, "
       "timestamp, step and value, at most max_results (25000) in total; unknown runs give no points.",
       query={"run_id*": array(STR, minItems=1, maxItems=100), "metric_key*": STR, "max_results": {**INT64, "minimum": 0, "maximum": 25000}},
       ok=reply({"metrics*": array(ref("Metric"))})),
    Op("GET", "/api/2.0/mlflow/artifacts/list", "listRunArtifacts", "artifacts", "read",
       "A run's artifacts, paths relative to its root (`files` absent when empty); a root outside Cairn's store answers only root_uri.",
       description=f"{RUN_REF_NOTE} An unsafe `path` (`..`, absolute, `#`, `file:`, a drive letter, also percent-encoded) is 400 `Invalid path`.",
       query={**RUN_REF, "path": STR, "page_token": STR}, ok=reply({"root_uri*": STR, "files": array(ref("FileInfo"))}), errors=["404"]),
    Op("POST", "/ajax-api/2.0/mlflow/upload-artifact", "uploadRunArtifact", "artifacts", "write",
       "MLflow's UI upload (under /ajax-api only): the raw body stored at `path` under the run's artifact root; 200 with an empty body.",
       description="At most 10 MiB (400 `Artifact size is too large. Max size is 10MB.`); an empty body, a missing run_uuid or path, or an "
                   "unsafe path is 400; an unknown run 404. Only runs whose artifacts are in Cairn's store (mlflow-artifacts:).",
       query={"run_uuid*": STR, "path*": STR}, raw_body=True,
       responses={"200": {"description": "Stored; an empty body"}}, errors=["404"]),
    Op("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", "searchDatasets", "experiments", "read",
       "MLflow's UI route (under /ajax-api only): the datasets logged to runs of up to 20 experiments, one summary per context; "
       "`{}` when there are none.",
       body={"experiment_ids*": array(STR, minItems=1, maxItems=20)},
       ok=reply({"dataset_summaries": array(obj({"experiment_id*": STR, "name*": STR, "digest*": STR, "context": STR}))})),
    # -- artifact proxy -------------------------------------------------------------------------
    Op("GET", f"{ART}/artifacts", "listArtifacts", "artifacts", "read", "List a directory of the artifact store (`{}` when missing).",
       query={"path": {"type": "string", "description": "A directory relative to the artifact root; the root when absent."}},
       ok=reply({"files": array(ref("FileInfo"))})),
    Op("PUT", f"{ART}/artifacts/{{artifact_path}}", "uploadArtifact", "artifacts", "write", "Upload a file (streamed, not size-limited).",
       path_params={"artifact_path": ARTIFACT_PATH}, raw_body=True, ok=EMPTY),
    Op("GET", f"{ART}/artifacts/{{artifact_path}}", "downloadArtifact", "artifacts", "read",
       "Download a file (streamed; one `Range: bytes=` range is honoured).",
       path_params={"artifact_path": ARTIFACT_PATH},
       headers={"Range": {"type": "string", "description": "A single byte range, e.g. `bytes=0-99` or `bytes=-100`.", "examples": ["bytes=0-99"]}},
       responses={
           "200": {"description": "The file; the content type is guessed from the name",
                   "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
           "206": {"description": "The requested range of the file",
                   "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
           "416": {"description": "The range cannot be satisfied (`Content-Range: bytes */<size>`); empty body"},
       }, errors=["404"]),
    Op("DELETE", f"{ART}/artifacts/{{artifact_path}}", "deleteArtifact", "artifacts", "admin", "Delete a file or directory.",
       path_params={"artifact_path": ARTIFACT_PATH}, ok=EMPTY),
    *[
        Op("POST", f"{ART}/mpu/{action}/{{artifact_path}}", f"{action}MultipartUpload", "artifacts", "write",
           f"MLflow's multipart upload ({action}) with presigned part URLs, for an S3 artifact store with presigning on; "
           "answered 501 NOT_IMPLEMENTED otherwise (the client then uploads through the proxy).",
           path_params={"artifact_path": ARTIFACT_PATH}, body=fields, ok=ok,
           responses={"501": {"description": "Multipart uploads need an S3 artifact store with presigning on", "content": {"application/json": {"schema": ref("Error")}}}})
        for action, fields, ok in [
            ("create", {"path": STR, "num_parts": INT64_IN},
             reply({"upload_id": STR, "credentials": array(obj({"url": STR, "part_number": {"type": "integer"}, "headers": obj({}, closed=False)}))})),
            ("complete", {"path": STR, "upload_id": STR, "parts": array({"type": "object"})}, EMPTY),
            ("abort", {"path": STR, "upload_id": STR}, EMPTY),
        ]
    ],
    Op("GET", f"{ART}/presigned/{{artifact_path}}", "getPresignedDownloadUrl", "artifacts", "read",
       "A presigned GET URL for a file, for an S3 artifact store with presigning on; 501 NOT_IMPLEMENTED otherwise.",
       path_params={"artifact_path": ARTIFACT_PATH},
       ok=reply({"url": STR, "headers": obj({}, closed=False), "file_size": {"type": "integer"}}),
       responses={"501": {"description": "Presigned URLs need an S3 artifact store with presigning on", "content": {"application/json": {"schema": ref("Error")}}}},
       errors=["404"]),
    # -- logged models (MLflow 3) ---------------------------------------------------------------
    Op("POST", LM, "createLoggedModel", "logged-models", "write", "Create a logged model (status LOGGED_MODEL_PENDING).",
       body={"experiment_id*": STR, "name": STR, "model_type": STR, "source_run_id": STR, "params": array(PARAM_IN), "tags": array(KEY_VALUE_IN)},
       ok=reply({"model*": ref("LoggedModel")}), errors=["404"]),
    Op("POST", f"{LM}/search", "searchLoggedModels", "logged-models", "read", "Search logged models.",
       description="`datasets` keeps models with metrics on one of them (and restricts `metrics.` comparisons to those values); "
                   "`order_by` sorts by attributes or `metrics.<key>`, optionally on a dataset, models without a value last.",
       body={"experiment_ids*": array(STR), "filter": STR, "max_results": INT64_IN, "page_token": STR,
             "datasets": array(obj({"dataset_name*": STR, "dataset_digest": STR})),
             "order_by": array(obj({"field_name*": STR, "ascending": BOOL, "dataset_name": STR, "dataset_digest": STR}))},
       ok=reply({"models": array(ref("LoggedModel")), "next_page_token": STR})),
    Op("GET", f"{LM}/{{model_id}}", "getLoggedModel", "logged-models", "read", "Get a logged model.",
       path_params={"model_id": MODEL_ID}, ok=reply({"model*": ref("LoggedModel")}), errors=["404"]),
    Op("PATCH", f"{LM}/{{model_id}}", "finalizeLoggedModel", "logged-models", "write", "Finalize a logged model (set its status).",
       path_params={"model_id": MODEL_ID},
       body={"status*": {"anyOf": [{"type": "string", "enum": ["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED", "LOGGED_MODEL_PENDING",
                                                            "LOGGED_MODEL_STATUS_UNSPECIFIED", "0", "1", "2", "3"]}, STR_IN]}},
       ok=reply({"model*": ref("LoggedModel")}), errors=["404"]),
    Op("DELETE", f"{LM}/{{model_id}}", "deleteLoggedModel", "logged-models", "admin", "Delete a logged model.",
       path_params={"model_id": MODEL_ID}, ok=EMPTY, errors=["404"]),
    Op("PATCH", f"{LM}/{{model_id}}/tags", "setLoggedModelTags", "logged-models", "write", "Set tags of a logged model.",
       path_params={"model_id": MODEL_ID}, body={"tags": array(KEY_VALUE_IN)}, ok=reply({"model*": ref("LoggedModel")}), errors=["404"]),
    Op("DELETE", f"{LM}/{{model_id}}/tags/{{tag_key}}", "deleteLoggedModelTag", "logged-models", "write", "Delete a tag of a logged model.",
       path_params={"model_id": MODEL_ID, "tag_key": {"type": "string", "minLength": 1}}, ok=EMPTY, errors=["404"]),
    Op("GET", f"{LM}/{{model_id}}/artifacts/directories", "listLoggedModelArtifacts", "logged-models", "read",
       "A logged model's artifacts, paths relative to its root (`files` absent when empty).",
       path_params={"model_id": MODEL_ID}, query={"artifact_directory_path": STR},
       ok=reply({"root_uri*": STR, "files": array(ref("FileInfo"))}), errors=["404"]),
    Op("GET", "/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files", "downloadLoggedModelArtifact", "logged-models", "read",
       "MLflow's UI route (under /ajax-api only): one file of a logged model's artifacts.",
       path_params={"model_id": MODEL_ID}, query={"artifact_file_path*": STR},
       responses={"200": {"description": "The file; the content type is guessed from the name",
                          "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}}},
       errors=["404"]),
    Op("POST", f"{LM}/{{model_id}}/params", "logLoggedModelParams", "logged-models", "write", "Log parameters of a logged model.",
       path_params={"model_id": MODEL_ID}, body={"params": array(PARAM_IN)}, ok=EMPTY, errors=["404"]),
    # -- registered models ----------------------------------------------------------------------
    Op("POST", f"{RM}/create", "createRegisteredModel", "registry", "write", "Create a registered model.",
       body={"name*": STR, "tags": array(KEY_VALUE_IN), "description": STR}, ok=reply({"registered_model*": ref("RegisteredModel")})),
    Op("GET", f"{RM}/get", "getRegisteredModel", "registry", "read", "Get a registered model.",
       query={"name*": STR}, ok=reply({"registered_model*": ref("RegisteredModel")}), errors=["404"]),
    Op("POST", f"{RM}/rename", "renameRegisteredModel", "registry", "write", "Rename a registered model.",
       body={"name*": STR, "new_name*": STR}, ok=reply({"registered_model*": ref("RegisteredModel")}), errors=["404"]),
    Op("PATCH", f"{RM}/update", "updateRegisteredModel", "registry", "write", "Update a registered model's description.",
       body={"name*": STR, "description": STR}, ok=reply({"registered_model*": ref("RegisteredModel")}), errors=["404"]),
    Op("DELETE", f"{RM}/delete", "deleteRegisteredModel", "registry", "admin", "Delete a registered model and its versions.",
       body={"name*": STR}, ok=EMPTY, errors=["404"]),
    Op("GET", f"{RM}/search", "searchRegisteredModels", "registry", "read", "Search registered models.",
       query=SEARCH_QUERY, ok=reply({"registered_models": array(ref("RegisteredModel")), "next_page_token": STR})),
    Op("POST", f"{RM}/set-tag", "setRegisteredModelTag", "registry", "write", "Set a registered model tag.",
       body={"name*": STR, "key*": STR, "value*": STR_IN}, ok=EMPTY, errors=["404"]),
    Op("DELETE", f"{RM}/delete-tag", "deleteRegisteredModelTag", "registry", "write", "Delete a registered model tag.",
       body={"name*": STR, "key*": STR}, ok=EMPTY, errors=["404"]),
    Op("POST", f"{RM}/get-latest-versions", "getLatestVersions", "registry", "read", "Latest version per stage.",
       body={"name*": STR, "stages": array({"type": "string", "enum": STAGES})},
       ok=reply({"model_versions": array(ref("ModelVersion"))}), errors=["404"]),
    Op("GET", f"{RM}/get-latest-versions", "getLatestVersionsGet", "registry", "read", "Latest version per stage (query parameters).",
       query={"name*": STR, "stages": array({"type": "string", "enum": STAGES})},
       ok=reply({"model_versions": array(ref("ModelVersion"))}), errors=["404"]),
    Op("POST", f"{RM}/alias", "setRegisteredModelAlias", "registry", "write", "Point an alias at a version.",
       description="Cairn's extension: with `expected_version` the alias moves only if it points at that version now "
                   "(`0`: only if it does not exist yet); otherwise 409 RESOURCE_CONFLICT and nothing changes.",
       body={"name*": STR, "alias*": STR, "version*": STR_IN, "expected_version": STR_IN}, ok=EMPTY, errors=["404", "409"]),
    Op("DELETE", f"{RM}/alias", "deleteRegisteredModelAlias", "registry", "write", "Delete an alias.",
       body={"name*": STR, "alias*": STR}, ok=EMPTY, errors=["404"]),
    Op("GET", f"{RM}/alias", "getModelVersionByAlias", "registry", "read", "The version an alias points at.",
       query={"name*": STR, "alias*": STR}, ok=reply({"model_version*": ref("ModelVersion")}), errors=["404"]),
    # -- model versions -------------------------------------------------------------------------
    Op("POST", f"{MV}/create", "createModelVersion", "registry", "write", "Create a model version (status READY).",
       description="Cairn's extension: with an `Idempotency-Key` header, a retry with the same key and the same fields answers "
                   "the version the key created before (`Idempotent-Replayed: true`) instead of creating another; the same key "
                   "with other fields is refused (422); while the first request runs, 409.",
       headers={"Idempotency-Key": {"type": "string", "pattern": "^[!-~]{1,255}$",
                                    "description": "1-255 visible ASCII characters, unique per version to register."}},
       body={"name*": STR, "source*": STR, "run_id": STR, "model_id": STR, "run_link": STR, "description": STR, "tags": array(KEY_VALUE_IN)},
       ok=reply({"model_version*": ref("ModelVersion")}), errors=["404", "409", "422"]),
    Op("GET", f"{MV}/get", "getModelVersion", "registry", "read", "Get a model version.",
       query={"name*": STR, "version*": STR}, ok=reply({"model_version*": ref("ModelVersion")}), errors=["404"]),
    Op("PATCH", f"{MV}/update", "updateModelVersion", "registry", "write", "Update a model version's description.",
       body={**NAME_VERSION, "description": STR}, ok=reply({"model_version*": ref("ModelVersion")}), errors=["404"]),
    Op("DELETE", f"{MV}/delete", "deleteModelVersion", "registry", "admin", "Delete a model version.",
       body=NAME_VERSION, ok=EMPTY, errors=["404"]),
    Op("GET", f"{MV}/search", "searchModelVersions", "registry", "read", "Search model versions.",
       query=SEARCH_QUERY, ok=reply({"model_versions": array(ref("ModelVersion")), "next_page_token": STR})),
    Op("GET", f"{MV}/get-download-uri", "getModelVersionDownloadUri", "registry", "read",
       "Where a version's files are (models:/<model_id> sources resolved to the logged model's artifacts).",
       query={"name*": STR, "version*": STR}, ok=reply({"artifact_uri*": STR}), errors=["404"]),
    Op("POST", f"{MV}/transition-stage", "transitionModelVersionStage", "registry", "write",
       "Move a version to a stage (promotion: admin, or a write token allowed that target).",
       body={**NAME_VERSION, "stage*": {"anyOf": [{"type": "string", "enum": STAGES}, STR]}, "archive_existing_versions*": STR_IN},
       ok=reply({"model_version*": ref("ModelVersion")}), errors=["404"]),
    Op("POST", f"{MV}/set-tag", "setModelVersionTag", "registry", "write", "Set a model version tag.",
       body={**NAME_VERSION, "key*": STR, "value*": STR_IN}, ok=EMPTY, errors=["404"]),
    Op("DELETE", f"{MV}/delete-tag", "deleteModelVersionTag", "registry", "write", "Delete a model version tag.",
       body={**NAME_VERSION, "key*": STR}, ok=EMPTY, errors=["404"]),
    # -- Cairn's own ----------------------------------------------------------------------------
    Op("GET", "/api/cairn/v1/audit", "listAuditEvents", "cairn", "read", "The registry audit log of one entity, newest first.",
       query={"entity*": {"type": "string", "description": "e.g. `registered_model:<name>`"}, "max_results": {**INT64, "minimum": 1, "maximum": 1000},
              "page_token": STR},
       ok=reply({"events": array(ref("AuditEvent")), "next_page_token": STR})),
    Op("POST", "/api/cairn/v1/tokens", "createToken", "cairn", "admin", "Create an API token; the secret is returned once.",
       body={"name*": STR, "scope*": {"type": "string", "enum": ["read", "write", "admin"]}, "expires_at": INT64_IN, "allowed_targets": array(STR)},
       ok=reply({"name*": STR, "scope*": {"type": "string", "enum": ["read", "write", "admin"]}, "token*": STR})),
    Op("GET", "/api/cairn/v1/tokens", "listTokens", "cairn", "admin", "List API tokens (without secrets).",
       ok=reply({"tokens": array(ref("Token"))})),
    Op("DELETE", "/api/cairn/v1/tokens/{name}", "revokeToken", "cairn", "admin", "Revoke an API token.",
       path_params={"name": {"type": "string", "minLength": 1}}, ok=EMPTY, errors=["404"]),
    # -- dashboard (HTML) -----------------------------------------------------------------------
    Op("GET", "/", "dashboardExperiments", "dashboard", "read", "Dashboard: experiments with run counts and last activity.",
       query={"q": STR}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST}),
    Op("GET", "/experiments/{id}", "dashboardExperiment", "dashboard", "read",
       "Dashboard: an experiment's runs, with chosen param and metric columns, sort, filter (errors shown inline) and paging.",
       path_params={"id": {"type": "string", "minLength": 1}},
       query={"filter": STR, "order": STR, "metrics": STR, "params": STR, "page": STR}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST, "400": HTML_PAGE, "404": HTML_PAGE}),
    Op("GET", "/runs/{id}", "dashboardRun", "dashboard", "read",
       "Dashboard: a run with a chart per metric (M4-reduced), params, tags, artifacts and the versions registered from it.",
       path_params={"id": {"type": "string", "minLength": 1}}, query=CHART_VIEW, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST, "400": HTML_PAGE, "404": HTML_PAGE}),
    Op("GET", "/compare", "dashboardCompare", "dashboard", "read",
       "Dashboard: up to 100 runs side by side (a chart per metric, a line per run; params that differ marked).",
       query={"runs": STR, **CHART_VIEW}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST, "400": HTML_PAGE, "404": HTML_PAGE}),
    Op("GET", "/models", "dashboardModels", "dashboard", "read", "Dashboard: registered models.",
       query={"q": STR, "page": STR}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST}),
    Op("GET", "/models/{name}", "dashboardModel", "dashboard", "read",
       "Dashboard: a model's versions, aliases, tags, lineage and what each promotion target serves.",
       path_params={"name": {"type": "string", "minLength": 1}}, query={"page": STR}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST, "400": HTML_PAGE, "404": HTML_PAGE}),
    Op("POST", "/models/{name}/rollback", "dashboardRollback", "dashboard", "read",
       "Dashboard: the model page's rollback button (form field `target`); the promotion rights are checked by the service.",
       description="The body is `application/x-www-form-urlencoded` with `target`. With --auth none it is accepted only with an `Origin` "
                   "of this server (browsers send one on every form POST). Rolls the target back to its deployment before the current "
                   "one, as `POST /api/cairn/v1/targets/{name}/rollback` does, and redirects (303) to the target's ledger.",
       path_params={"name": {"type": "string", "minLength": 1}},
       responses={"303": {"description": "Rolling back: to /deployments?target=…"}, "400": HTML_OR_ERROR, "403": HTML_OR_ERROR,
                  "404": HTML_OR_ERROR, "409": HTML_OR_ERROR}),
    Op("GET", "/deployments", "dashboardDeployments", "dashboard", "read", "Dashboard: the promotion ledger, newest first.",
       query={"target": STR, "model": STR}, responses={"200": HTML_PAGE, "303": SIGN_IN_FIRST}),
    Op("GET", "/signin", "dashboardSignInForm", "dashboard", "open", "Dashboard: the sign-in form (with --auth token; else a redirect to /).",
       query={"next": STR}, responses={"200": HTML_PAGE, "303": {"description": "Authentication is off: to the dashboard"}}),
    Op("POST", "/signin", "dashboardSignIn", "dashboard", "open",
       "Dashboard: sign in with an API token (form field `token`); sets an HttpOnly, SameSite=Strict session cookie that holds no token.",
       description="The body is `application/x-www-form-urlencoded` with `token` and an optional `next` (a path on this server). "
                   "A valid token starts a 12-hour session and redirects (303) to `next`; an unknown token renders the form again (401). "
                   "A form posted from another origin is refused (403).",
       responses={"303": {"description": "Signed in: to `next`"}, "401": HTML_PAGE,
                  "403": {"description": "Posted from another origin", "content": {"application/json": {"schema": ref("Error")}}}}),
    Op("POST", "/signout", "dashboardSignOut", "dashboard", "open", "Dashboard: end the browser's session and delete its cookie.",
       responses={"303": {"description": "Signed out: to the sign-in form"}}),
    Op("GET", "/static/{file}", "dashboardAsset", "dashboard", "open", "The dashboard's stylesheet, script and icon.",
       path_params={"file": {"type": "string", "minLength": 1}},
       responses={
           "200": {"description": "The file", "content": {"text/css": {"schema": STR}, "text/javascript": {"schema": STR},
                                                          "image/svg+xml": {"schema": STR}}},
           "404": {"description": "No such file", "content": {"application/json": {"schema": ref("Error")}}},
       }),
    # -- promotion ------------------------------------------------------------------------------
    Op("GET", f"{CAIRN}/targets", "listTargets", "promotion", "read", "The declared promotion targets, in file order (without secrets).",
       ok=reply({"targets*": array(ref("Target"))})),
    Op("GET", f"{CAIRN}/targets/{{name}}", "getTarget", "promotion", "read", "One promotion target (without secrets).",
       path_params={"name": {"type": "string", "minLength": 1}}, ok=reply({"target*": ref("Target")}), errors=["404"]),
    Op("POST", f"{CAIRN}/targets/{{name}}/rollback", "rollbackTarget", "promotion", "write",
       "Re-apply the deployment that served on a target before the current one, as a new ledger entry.",
       description=f"The request body is ignored. {MAY_PROMOTE} 404 for an unknown target or when there is no earlier ready "
                   "deployment to roll back to; 409 while another promotion holds the target.",
       path_params={"name": {"type": "string", "minLength": 1}}, responses={"202": accepted()}, errors=["404", "409"]),
    Op("POST", f"{CAIRN}/promotions", "promote", "promotion", "write",
       "Promote a model version (or the version an alias points at) to a target; a dry run only renders and server-side validates.",
       description=f"{MAY_PROMOTE} {PROMOTION_ERRORS}",
       body=PROMOTION_BODY, responses={"200": json_response("A dry run's report", ref("DryRunReport")), "202": accepted()},
       errors=["404", "409"]),
    Op("POST", f"{CAIRN}/webhooks/promote", "promoteWebhook", "promotion", "open",
       "The CI webhook: a promotion (as POST /api/cairn/v1/promotions) signed with the target's webhook secret instead of a token.",
       description="Checked in this order: a webhook secret is configured at all (403 otherwise), the signature header's shape and "
                   "timestamp (401; at most 300 s old and 30 s ahead of the server's clock), the Idempotency-Key (400), the body "
                   "(at most 64 KiB, 413), a webhook secret exists for the body's `target` (the target's `webhook_secret_env`, "
                   "else CAIRN_WEBHOOK_SECRET; 403 otherwise), the signature's MAC (401), the signature not used before with "
                   "another Idempotency-Key (401: a signed call is accepted once), the body's fields (400). "
                   "A key seen before with the same body replays the stored response (`Idempotent-Replayed: true`); with a "
                   "different body it is refused (422); while its first request runs, 409. A promotion that fails its checks "
                   f"forgets its key, so a retry can go ahead. The actor recorded is `webhook`. {PROMOTION_ERRORS}",
       headers={
           "X-Cairn-Signature*": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$",
                                  "description": "`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.\" + raw body)>`; the "
                                                 "timestamp must be at most 300 s behind and 30 s ahead of the server's clock, "
                                                 "and a signature is accepted with one Idempotency-Key only."},
           "Idempotency-Key*": {"type": "string", "pattern": "^[!-~]{1,255}$",
                                "description": "1-255 visible ASCII characters, unique per promotion (e.g. the CI job's run id)."},
       },
       body=PROMOTION_BODY,
       responses={
           "200": {**json_response("A dry run's report, or a replayed answer", ref("DryRunReport")), "headers": REPLAYED},
           "202": {**accepted(), "headers": REPLAYED},
           "400": webhook_error("A missing or malformed Idempotency-Key, or an invalid body (INVALID_PARAMETER_VALUE, BAD_REQUEST)"),
           "401": webhook_error("A missing, malformed, stale, future, wrong or already used X-Cairn-Signature (UNAUTHENTICATED)"),
           "403": webhook_error("No webhook secret is configured (for the target): the webhook is disabled (PERMISSION_DENIED)"),
           "404": webhook_error("An unknown target, model, version or alias (RESOURCE_DOES_NOT_EXIST)"),
           "409": webhook_error("Another promotion holds the target, the object name is taken, or a request with this "
                                "Idempotency-Key is still being processed (RESOURCE_CONFLICT)"),
           "413": webhook_error("The body exceeds 64 KiB (REQUEST_LIMIT_EXCEEDED)"),
           "422": {"$ref": "#/components/responses/IdempotencyKeyReused"},
           "default": {"$ref": "#/components/responses/Error"},
       }),
    Op("GET", f"{CAIRN}/deployments", "listDeployments", "promotion", "read", "The deployment ledger, newest first.",
       query={"target": STR, "model": STR, "max_results": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
       ok=reply({"deployments*": array(ref("Deployment"))})),
    Op("GET", f"{CAIRN}/deployments/{{id}}", "getDeployment", "promotion", "read", "One ledger entry: a promotion's status.",
       path_params={"id": {"type": "string", "minLength": 1}}, ok=reply({"deployment*": ref("Deployment")}), errors=["404"]),
]

# ---- assembly ------------------------------------------------------------------------------------

ERROR_RESPONSES = {
    "BadRequest": ("Invalid request: a missing or malformed field (INVALID_PARAMETER_VALUE, BAD_REQUEST), or RESOURCE_ALREADY_EXISTS", {}),
    "Unauthenticated": ("No, an invalid, an expired or a revoked credential (UNAUTHENTICATED)",
                        {"WWW-Authenticate": {"schema": STR, "description": "`Bearer realm=\"cairn\"`"}}),
    "PermissionDenied": ("The token's scope does not allow this (PERMISSION_DENIED)", {}),
    "NotFound": ("The resource does not exist (RESOURCE_DOES_NOT_EXIST)", {}),
    "Conflict": ("The resource is busy or taken, e.g. a promotion target locked by another promotion (RESOURCE_CONFLICT)", {}),
    "IdempotencyKeyReused": ("The Idempotency-Key was already used with a different request body (IDEMPOTENCY_KEY_REUSED)", {}),
    "TooLarge": ("The JSON body exceeds 16 MiB (REQUEST_LIMIT_EXCEEDED)", {}),
    "RateLimited": ("The token's rate limit is exceeded (REQUEST_LIMIT_EXCEEDED)",
                    {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}),
    "Error": ("Any other error in MLflow's format, e.g. 503 TEMPORARILY_UNAVAILABLE when the database is down", {}),
}
STATUS_RESPONSE = {"400": "BadRequest", "401": "Unauthenticated", "403": "PermissionDenied", "404": "NotFound", "409": "Conflict",
                   "413": "TooLarge", "422": "IdempotencyKeyReused", "429": "RateLimited"}


def error_response(description: str, headers: dict) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
    if headers:
        out["headers"] = headers
    return out


def parameter(name: str, location: str, schema: dict, required: bool) -> dict:
    schema = dict(schema)
    description = schema.pop("description", None)
    out = {"name": name, "in": location, "required": required, "schema": schema}
    if description:
        out["description"] = description
    if location == "query" and schema.get("type") == "array":
        out["style"], out["explode"] = "form", True
    return out


def operation(op: Op) -> dict:
    out = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag], "x-cairn-scope": op.scope}
    scope_note = "No API token needed." if op.scope == "open" else f"Needs a token with scope `{op.scope}` or higher."
    out["description"] = f"{op.description} {scope_note}" if op.description else scope_note
    if op.scope == "open":
        out["security"] = []
    params = [parameter(name, "path", schema, True) for name, schema in op.path_params.items()]
    for name, schema in (op.query or {}).items():
        required = name.endswith("*")
        params.append(parameter(name.rstrip("*"), "query", schema, required))
    params += [parameter(name.rstrip("*"), "header", schema, name.endswith("*")) for name, schema in op.headers.items()]
    if params:
        out["parameters"] = params
    if op.body is not None:
        body_schema = obj(op.body, closed=False)
        out["requestBody"] = {
            "required": "required" in body_schema,
            "description": "A JSON object; an empty body counts as `{}`. Unknown fields are ignored.",
            "content": {"application/json": {"schema": body_schema}},
        }
    elif op.raw_body:
        out["requestBody"] = {
            "required": True,
            "description": "The file's bytes, streamed to the artifact store (no size limit).",
            "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}},
        }
    responses = dict(op.responses or {})
    if op.ok is not None:
        responses["200"] = {"description": "OK", "content": {"application/json": {"schema": op.ok}}}
    if op.scope != "open":
        statuses = ["401", "403", "429"]
        if op.query or op.body is not None or op.path_params:
            statuses.append("400")
        if op.body is not None:
            statuses.append("413")
        statuses += list(op.errors)
        for status in statuses:
            responses.setdefault(status, {"$ref": f"#/components/responses/{STATUS_RESPONSE[status]}"})
        responses["default"] = {"$ref": "#/components/responses/Error"}
    out["responses"] = dict(sorted(responses.items()))
    return out


MIRRORED_PREFIXES = ("/api/2.0/mlflow/", "/api/2.0/mlflow-artifacts/", "/api/3.0/mlflow/")


def with_ajax_mirrors(operations: list[Op]) -> list[Op]:
    """Every operation of MLflow's API, and its twin under /ajax-api (MLflow's UI prefix, served the
    same: RouteRegistrar.ajaxMirror in Sources/CairnServer/Support/RouteTable.swift)."""
    out = []
    for op in operations:
        out.append(op)
        if op.path.startswith(MIRRORED_PREFIXES):
            twin = copy.copy(op)
            twin.path, twin.operation_id = "/ajax-api" + op.path.removeprefix("/api"), op.operation_id + "Ajax"
            twin.summary = f"{op.summary} (MLflow's UI prefix)"
            out.append(twin)
    return out


def build() -> dict:
    paths: dict[str, dict] = {}
    seen_ids = set()
    for op in with_ajax_mirrors(OPERATIONS):
        assert op.operation_id not in seen_ids, f"duplicate operationId {op.operation_id}"
        seen_ids.add(op.operation_id)
        item = paths.setdefault(op.path, {})
        assert op.method.lower() not in item, f"duplicate operation {op.method} {op.path}"
        item[op.method.lower()] = operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cairn",
            "version": VERSION,
            "summary": "A model registry and tracking server, wire-compatible with MLflow's REST API.",
            "description": (
                "Every route Cairn serves: MLflow's tracking, registry and artifact-proxy API, and Cairn's own "
                "(`/api/cairn/v1`). Generated by scripts/openapi/generate.py; do not edit by hand.\n\n"
                "Wire rules (as MLflow's): GET takes query parameters (repeated keys for lists); other methods a JSON body "
                "(an empty body counts as `{}`; bodies are capped at 16 MiB, artifact uploads are not). int64 values are "
                "JSON numbers; doubles NaN/±Infinity are the strings \"NaN\", \"Infinity\", \"-Infinity\". Empty lists and "
                "unset optional fields are omitted from responses. Errors are `{\"error_code\", \"message\"}`.\n\n"
                "Authentication (when the server runs with `--auth token`): every route but /health, /ready and the signed "
                "promotion webhook (POST /api/cairn/v1/webhooks/promote, authenticated by its X-Cairn-Signature) needs "
                "`Authorization: Bearer <token>` or `Authorization: Basic` with the token as the password. Scopes: "
                "`read` < `write` < `admin`; each operation's `x-cairn-scope` names the one it needs."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "http://127.0.0.1:5000", "description": "A local `cairn serve`"}],
        "security": [{"bearer": []}, {"basic": []}],
        "tags": [
            {"name": name, "description": description}
            for name, description in [
                ("system", "Health, readiness, version, capabilities and this document"),
                ("experiments", "MLflow experiments"),
                ("runs", "MLflow runs and their metrics, params, tags, inputs and outputs"),
                ("metrics", "Metric histories"),
                ("artifacts", "MLflow's artifact proxy"),
                ("logged-models", "MLflow 3 logged models"),
                ("registry", "Registered models, versions, stages, tags and aliases"),
                ("cairn", "Cairn's own API: audit log and API tokens"),
                ("promotion", "Promotion to Kubernetes targets: targets, promotions (API and signed CI webhook), the deployment ledger, rollback"),
                ("dashboard", "The HTML dashboard: server-rendered pages over the same stores"),
            ]
        ],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {name: error_response(description, headers) for name, (description, headers) in ERROR_RESPONSES.items()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (MLFLOW_TRACKING_TOKEN)."},
                "basic": {"type": "http", "scheme": "basic",
                          "description": "Any user name and the API token as the password (MLFLOW_TRACKING_USERNAME/PASSWORD)."},
            },
        },
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def operations_of(document: dict) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item if method != "parameters"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing (exit 1 on any difference)")
    parser.add_argument("--inventory", type=Path, default=INVENTORY, help="served routes, one `METHOD /path` a line")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    document = build()
    text = render(document)
    problems = []
    if args.inventory.exists():
        served = {line.strip() for line in args.inventory.read_text().splitlines() if line.strip()}
        documented = operations_of(document)
        problems += [f"served but not documented: {line}" for line in sorted(served - documented)]
        problems += [f"documented but not served: {line}" for line in sorted(documented - served)]
    else:
        problems.append(f"missing route inventory {args.inventory}")
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            problems.append(f"{args.output.relative_to(ROOT)} is stale: run scripts/openapi/generate.py")
    for problem in problems:
        print(f"generate.py: {problem}", file=sys.stderr)
    if problems:
        return 1
    if not args.check:
        args.output.write_text(text)
        print(f"wrote {args.output.relative_to(ROOT)}: {len(operations_of(document))} operations, {len(document['paths'])} paths")
    else:
        print(f"{args.output.relative_to(ROOT)} is up to date: {len(operations_of(document))} operations match {args.inventory.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
