"""Promotion end to end, as a CI job drives it: the signed webhook (and the API) against a real
kube-apiserver with KServe's CRD, the tests playing KServe's and Kubernetes' controllers."""

from __future__ import annotations

import json
import time

from conftest import WEB_SECRET, Kube, assert_valid_manifests, namespace_of, unique


def promote(cairn, body: dict, key: str | None = None, secret: str | None = None) -> dict:
    kwargs = {"secret": secret} if secret else {}
    r = cairn.webhook(body, key=key or unique("ci"), **kwargs)
    assert r.status_code == 202, r.text
    answer = r.json()
    assert answer["status"] == "pending"
    assert answer["status_url"] == f"/api/cairn/v1/deployments/{answer['deployment_id']}"
    return answer


def test_kserve_target_promote_by_alias_then_a_second_version_then_roll_back(cairn, kube: Kube):
    model, ns = unique("fraud"), namespace_of("prod")
    cairn.register(model, ["s3://models/fraud/v1", "s3://models/fraud/v2"])
    cairn.set_alias(model, "champion", "1")

    first = promote(cairn, {"model": model, "alias": "champion", "target": "prod"})
    waiting = cairn.wait_status(first["deployment_id"], {"waiting"})
    assert_valid_manifests(waiting["manifest"])
    isvc = kube.get(kube.isvc_path(ns, model))
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == "s3://models/fraud/v1"
    assert isvc["spec"]["predictor"]["annotations"]["cairn.dev/deployment-id"] == first["deployment_id"]
    assert isvc["metadata"]["labels"]["cairn.dev/version"] == "1"
    assert cairn.alias_version(model, "production") is None, "the alias moves only once the rollout is ready"
    kube.play_kserve(ns, model)
    ready = cairn.wait_status(first["deployment_id"], {"ready"})
    assert ready["version"] == "1" and ready.get("previous_deployment_id") is None
    assert cairn.alias_version(model, "production") == "1"

    # A second version over the first: the old Ready=True and the old predictor must not count.
    cairn.set_alias(model, "champion", "2")
    second = promote(cairn, {"model": model, "alias": "champion", "target": "prod"})
    cairn.wait_status(second["deployment_id"], {"waiting"})
    time.sleep(3)
    entry = cairn.deployment(second["deployment_id"])
    assert entry["status"] == "waiting", "a stale Ready from the first rollout counted"
    assert "does not carry cairn.dev/deployment-id" in entry["message"] or "waiting" in entry["message"]
    assert kube.get(kube.isvc_path(ns, model))["spec"]["predictor"]["model"]["storageUri"] == "s3://models/fraud/v2"
    kube.play_kserve(ns, model)
    ready = cairn.wait_status(second["deployment_id"], {"ready"})
    assert ready["previous_deployment_id"] == first["deployment_id"]
    assert cairn.alias_version(model, "production") == "2"

    # Roll back by API: version 1's manifest again, as a new ledger entry.
    r = cairn.post("/api/cairn/v1/targets/prod/rollback", {})
    assert r.status_code == 202, r.text
    rollback_id = r.json()["deployment_id"]
    cairn.wait_status(rollback_id, {"waiting"})
    assert kube.get(kube.isvc_path(ns, model))["spec"]["predictor"]["model"]["storageUri"] == "s3://models/fraud/v1"
    kube.play_kserve(ns, model)
    rolled = cairn.wait_status(rollback_id, {"ready"})
    assert rolled["version"] == "1" and rolled["previous_deployment_id"] == second["deployment_id"]
    assert cairn.alias_version(model, "production") == "1"

    # And through the webhook alone: promote version 2 again by number.
    again = promote(cairn, {"model": model, "version": "2", "target": "prod"})
    cairn.wait_status(again["deployment_id"], {"waiting"})
    kube.play_kserve(ns, model)
    cairn.wait_status(again["deployment_id"], {"ready"})
    ledger = cairn.ledger(target="prod", model=model)
    assert [d["id"] for d in ledger] == [again["deployment_id"], rollback_id, second["deployment_id"], first["deployment_id"]]
    assert all(d["status"] == "ready" for d in ledger)
    for d in ledger:
        assert_valid_manifests(d["manifest"])


def test_deployment_target_renders_deployment_service_and_hpa_and_becomes_ready(cairn, kube: Kube):
    model, ns = unique("ranker"), namespace_of("web")
    cairn.register(model, ["s3://models/ranker/v1", "s3://models/ranker/v2"])
    cairn.set_alias(model, "champion", "1")
    body = {"model": model, "alias": "champion", "target": "web"}
    # This target has its own secret: the shared one does not sign for it.
    assert cairn.webhook(body, key=unique("k")).status_code == 401
    first = promote(cairn, body, secret=WEB_SECRET)
    entry = cairn.wait_status(first["deployment_id"], {"waiting"})
    kinds = [m["kind"] for m in entry["manifest"]]
    assert kinds == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    assert entry["manifest"][2]["apiVersion"] == "autoscaling/v2beta2", "the 1.20 test server has no autoscaling/v2"
    assert_valid_manifests(entry["manifest"])
    live = kube.get(kube.deployment_path(ns, model))
    template = live["spec"]["template"]
    assert template["metadata"]["annotations"]["cairn.dev/deployment-id"] == first["deployment_id"]
    init = template["spec"]["initContainers"][0]
    assert init["args"] == ["s3://models/ranker/v1", "/mnt/models"]
    assert init["envFrom"] == [{"secretRef": {"name": "models-s3"}}]
    assert kube.get(f"/api/v1/namespaces/{ns}/services/{model}") is not None
    kube.roll_out_deployment(ns, model)
    cairn.wait_status(first["deployment_id"], {"ready"})
    assert cairn.alias_version(model, "web-live") == "1"

    second = promote(cairn, {"model": model, "version": "2", "target": "web"}, secret=WEB_SECRET)
    cairn.wait_status(second["deployment_id"], {"waiting"})
    time.sleep(2)
    assert cairn.deployment(second["deployment_id"])["status"] == "waiting", "the first rollout's status counted for the second"
    kube.roll_out_deployment(ns, model)
    cairn.wait_status(second["deployment_id"], {"ready"})
    assert cairn.alias_version(model, "web-live") == "2"

    r = cairn.post("/api/cairn/v1/targets/web/rollback", {})
    assert r.status_code == 202, r.text
    rollback_id = r.json()["deployment_id"]
    cairn.wait_status(rollback_id, {"waiting"})
    live = kube.get(kube.deployment_path(ns, model))
    assert live["spec"]["template"]["spec"]["initContainers"][0]["args"][0] == "s3://models/ranker/v1"
    kube.roll_out_deployment(ns, model)
    assert cairn.wait_status(rollback_id, {"ready"})["version"] == "1"
    assert cairn.alias_version(model, "web-live") == "1"


def test_dry_run_renders_and_checks_with_the_server_without_applying_or_recording(cairn, kube: Kube):
    model = unique("dry")
    cairn.register(model, ["s3://models/dry/v1"])
    r = cairn.webhook({"model": model, "version": "1", "target": "dry", "dry_run": True}, key=unique("k"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["dry_run"] is True and report["storage_uri"] == "s3://models/dry/v1"
    assert [m["kind"] for m in report["manifests"]] == ["InferenceService"]
    assert report["server_results"][0]["metadata"]["name"] == model
    assert_valid_manifests(report["manifests"])
    assert kube.get(kube.isvc_path(namespace_of("dry"), model)) is None
    assert cairn.ledger(target="dry") == []
    # A source Cairn cannot locate is a warning in a dry run, not a failure.
    r = cairn.post("/api/2.0/mlflow/model-versions/create", {"name": model, "source": "wasbs://models@account.blob.core.windows.net/dry"})
    assert r.status_code == 200, r.text
    r = cairn.webhook({"model": model, "version": "2", "target": "dry", "dry_run": True}, key=unique("k"))
    assert r.status_code == 200, r.text
    assert r.json()["warnings"], r.text
    # ... but a real promotion of it is refused, before the ledger.
    r = cairn.webhook({"model": model, "version": "2", "target": "dry"}, key=unique("k"))
    assert r.status_code == 400, r.text
    assert cairn.ledger(target="dry") == []


def test_readiness_timeout_rolls_back_to_the_previous_deployment(cairn, kube: Kube):
    model, ns = unique("slow"), namespace_of("quick")
    cairn.register(model, ["s3://models/slow/v1", "s3://models/slow/v2"])
    first = promote(cairn, {"model": model, "version": "1", "target": "quick"})
    cairn.wait_status(first["deployment_id"], {"waiting"})
    kube.play_kserve(ns, model)
    cairn.wait_status(first["deployment_id"], {"ready"})
    second = promote(cairn, {"model": model, "version": "2", "target": "quick"})
    failed = cairn.wait_status(second["deployment_id"], {"rolled_back", "failed", "ready"}, timeout=30)
    assert failed["status"] == "rolled_back", failed
    assert "not ready within 10s" in failed["message"]
    isvc = kube.get(kube.isvc_path(ns, model))
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == "s3://models/slow/v1"
    assert isvc["spec"]["predictor"]["annotations"]["cairn.dev/deployment-id"] == first["deployment_id"]
    # The lock was released: the target takes a new promotion.
    third = promote(cairn, {"model": model, "version": "2", "target": "quick"})
    cairn.wait_status(third["deployment_id"], {"rolled_back"}, timeout=30)


def test_readiness_timeout_without_rollback_fails(cairn, kube: Kube):
    model = unique("stuck")
    cairn.register(model, ["s3://models/stuck/v1"])
    d = promote(cairn, {"model": model, "version": "1", "target": "quick-norb"})
    failed = cairn.wait_status(d["deployment_id"], {"failed", "rolled_back", "ready"}, timeout=30)
    assert failed["status"] == "failed" and "not ready within 3s" in failed["message"]


def test_a_field_owned_by_another_manager_is_a_409_naming_it_and_nothing_is_recorded(cairn, kube: Kube):
    model, ns = unique("owned"), namespace_of("shared")
    cairn.register(model, ["s3://models/owned/v1"])
    theirs = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": model, "namespace": ns},
              "spec": {"predictor": {"model": {"modelFormat": {"name": "mlflow"}, "storageUri": "s3://elsewhere/model"}}}}
    r = kube.apply(kube.isvc_path(ns, model), theirs, "someone-else", force=False)
    assert r.status_code in (200, 201), r.text
    before = kube.get(kube.isvc_path(ns, model))["metadata"]["resourceVersion"]
    r = cairn.webhook({"model": model, "version": "1", "target": "shared"}, key=unique("k"))
    assert r.status_code == 409, r.text
    assert r.json()["error_code"] == "RESOURCE_CONFLICT" and "someone-else" in r.json()["message"]
    assert kube.get(kube.isvc_path(ns, model))["metadata"]["resourceVersion"] == before
    assert cairn.ledger(target="shared") == []


def test_rbac_denial_is_a_403_naming_the_verb_and_nothing_is_recorded(cairn, kube: Kube):
    model = unique("denied")
    cairn.register(model, ["s3://models/denied/v1"])
    r = cairn.webhook({"model": model, "version": "1", "target": "denied"}, key=unique("k"))
    assert r.status_code == 403, r.text
    assert r.json()["error_code"] == "PERMISSION_DENIED"
    assert "forbidden" in r.json()["message"].lower() or "cannot" in r.json()["message"]
    assert cairn.ledger(target="denied") == []


def test_webhook_refusals_change_nothing_and_replays_are_idempotent(cairn, kube: Kube):
    model, ns = unique("hook"), namespace_of("hooks")
    cairn.register(model, ["s3://models/hook/v1", "s3://models/hook/v2"])
    body = json.dumps({"model": model, "version": "1", "target": "hooks"}).encode()
    signed_at = int(time.time())
    first = cairn.webhook(body, key="job-1", timestamp=signed_at)
    assert first.status_code == 202, first.text
    deployment_id = first.json()["deployment_id"]
    cairn.wait_status(deployment_id, {"waiting"})
    version_before = kube.get(kube.isvc_path(ns, model))["metadata"]["resourceVersion"]

    replay = cairn.webhook(body, key="job-1", timestamp=signed_at)
    assert replay.status_code == 202 and replay.json() == first.json()
    assert replay.headers.get("Idempotent-Replayed") == "true"
    # The same signed call under a new Idempotency-Key is a captured call replayed: refused.
    captured = cairn.webhook(body, key="job-5", timestamp=signed_at)
    assert captured.status_code == 401 and "already used" in captured.json()["message"], captured.text
    other_body = json.dumps({"model": model, "version": "2", "target": "hooks"}).encode()
    reused = cairn.webhook(other_body, key="job-1")
    assert reused.status_code == 422 and reused.json()["error_code"] == "IDEMPOTENCY_KEY_REUSED"
    forged = cairn.webhook(other_body, key="job-2", secret="not-the-secret")
    assert forged.status_code == 401 and forged.json()["error_code"] == "UNAUTHENTICATED"
    stale = cairn.webhook(other_body, key="job-3", timestamp=int(time.time()) - 600)
    assert stale.status_code == 401 and "Stale" in stale.json()["message"]
    keyless = cairn.webhook(other_body)
    assert keyless.status_code == 400 and "Idempotency-Key" in keyless.json()["message"]
    # While the first promotion holds the target, a second one is a 409.
    locked = cairn.webhook(other_body, key="job-4", timestamp=int(time.time()) - 2)
    assert locked.status_code == 409 and locked.json()["error_code"] == "RESOURCE_CONFLICT"

    assert [d["id"] for d in cairn.ledger(target="hooks")] == [deployment_id]
    assert kube.get(kube.isvc_path(ns, model))["metadata"]["resourceVersion"] == version_before
    kube.play_kserve(ns, model)
    cairn.wait_status(deployment_id, {"ready"})
    # After it finished, the key still replays the original answer and nothing new is recorded.
    assert cairn.webhook(body, key="job-1").json() == first.json()
    assert len(cairn.ledger(target="hooks")) == 1


def test_a_promotion_survives_a_server_killed_mid_rollout(cairn, kube: Kube):
    model, ns = unique("durable"), namespace_of("restart")
    cairn.register(model, ["s3://models/durable/v1", "s3://models/durable/v2"])
    d = promote(cairn, {"model": model, "version": "1", "target": "restart"})
    cairn.wait_status(d["deployment_id"], {"waiting"})
    cairn.stop(kill=True)
    kube.play_kserve(ns, model)
    cairn.start()
    # The new process finds the abandoned lease (3 s) and finishes the promotion.
    ready = cairn.wait_status(d["deployment_id"], {"ready"}, timeout=60)
    assert ready["status"] == "ready"
    assert cairn.alias_version(model, "restarted") == "1"
    # A graceful stop mid-rollout hands the promotion over at once, and never leaves the target locked.
    second = promote(cairn, {"model": model, "version": "2", "target": "restart"})
    cairn.wait_status(second["deployment_id"], {"waiting"})
    assert cairn.stop() == 0
    cairn.start()
    kube.play_kserve(ns, model)
    cairn.wait_status(second["deployment_id"], {"ready"}, timeout=60)
    assert cairn.alias_version(model, "restarted") == "2"


def test_the_readme_openssl_and_curl_signing_recipe_is_accepted(cairn, kube: Kube):
    """The README's CI example, run as written (with a dry run so nothing is applied)."""
    import subprocess

    from conftest import WEBHOOK_SECRET

    model = unique("readme")
    cairn.register(model, ["s3://models/readme/v1"])
    script = r'''
body="{\"model\":\"$MODEL\",\"version\":\"1\",\"target\":\"dry\",\"dry_run\":true}"
t=$(date +%s)
sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
curl -sS -o /dev/null -w '%{http_code}' -X POST "$CAIRN_URL/api/cairn/v1/webhooks/promote" \
  -H 'Content-Type: application/json' \
  -H "X-Cairn-Signature: t=$t,v1=$sig" \
  -H "Idempotency-Key: readme-$MODEL" \
  --data-binary "$body"
'''
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "MODEL": model, "SECRET": WEBHOOK_SECRET, "CAIRN_URL": cairn.url})
    assert out.stdout == "200", (out.stdout, out.stderr)


def test_two_models_that_derive_the_same_object_name_on_a_target_are_refused(cairn, kube: Kube):
    suffix = unique("x")
    first, second = f"Fraud Detector {suffix}", f"fraud_detector-{suffix}"
    cairn.register(first, ["s3://models/a/v1"])
    cairn.register(second, ["s3://models/b/v1"])
    d = promote(cairn, {"model": first, "version": "1", "target": "names"})
    cairn.wait_status(d["deployment_id"], {"waiting"})
    r = cairn.webhook({"model": second, "version": "1", "target": "names"}, key=unique("k"))
    assert r.status_code == 409, r.text
    assert f"fraud-detector-{suffix}" in r.json()["message"] and first in r.json()["message"]
    assert [x["model"] for x in cairn.ledger(target="names")] == [first]
    kube.play_kserve(namespace_of("names"), f"fraud-detector-{suffix}")
    cairn.wait_status(d["deployment_id"], {"ready"})


def test_a_malformed_targets_file_stops_start_up_naming_the_target_and_field(cairn, tmp_path):
    import subprocess

    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - name: prod\n    kind: kserve\n    namespace: ml-prod\n    min_replicas: many\n")
    out = subprocess.run([cairn.bin, "serve", "--port", "0", "--database-url", f"sqlite:{tmp_path}/c.db",
                          "--artifacts-uri", str(tmp_path / "a"), "--targets", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "prod" in out.stderr and "min_replicas" in out.stderr, out.stderr
