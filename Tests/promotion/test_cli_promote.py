"""`cairn promote`, `rollback`, `deployments` and `targets` (the CLI) against the kube-apiserver:
--wait follows a rollout to ready (exit 0), a failure (exit 1) or its own timeout (exit 6)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

from conftest import Kube, namespace_of
from test_promotion import unique


def cli(cairn, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([cairn.bin, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "CAIRN_TRACKING_URI": cairn.url})


def start(cairn, *args: str) -> subprocess.Popen:
    return subprocess.Popen([cairn.bin, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "CAIRN_TRACKING_URI": cairn.url})


def newest(cairn, target: str, model: str, after: set[str]) -> dict:
    deadline = time.time() + 30
    while time.time() < deadline:
        for entry in cairn.ledger(target=target, model=model):
            if entry["id"] not in after:
                return entry
        time.sleep(0.2)
    raise AssertionError(f"no new deployment of {model} on {target}")


def wait_and_roll_out(cairn, kube: Kube, process: subprocess.Popen, model: str, seen: set[str]) -> tuple[int, str, str, dict]:
    entry = newest(cairn, "web", model, seen)
    seen.add(entry["id"])
    cairn.wait_status(entry["id"], {"waiting"})
    kube.roll_out_deployment(namespace_of("web"), model)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err, entry


def test_promote_and_rollback_with_wait_follow_the_rollout_to_ready(cairn, kube: Kube):
    model = unique("cli")
    cairn.register(model, ["s3://models/cli/v1", "s3://models/cli/v2"])
    seen: set[str] = set()
    code, out, err, first = wait_and_roll_out(
        cairn, kube, start(cairn, "promote", model, "--version", "1", "--target", "web", "--wait", "--poll-interval", "1s"), model, seen)
    assert code == 0, err
    assert out.strip() == first["id"]
    assert "waiting" in err and "ready" in err, "status changes are printed as they happen"
    code, out, err, second = wait_and_roll_out(
        cairn, kube, start(cairn, "promote", model, "--version", "2", "--target", "web", "--wait", "-o", "json"), model, seen)
    assert code == 0, err
    assert json.loads(out)["version"] == "2"
    code, out, err, back = wait_and_roll_out(cairn, kube, start(cairn, "rollback", "--target", "web", "--wait"), model, seen)
    assert code == 0, err
    assert cairn.deployment(back["id"])["version"] == "1"

    ledger = json.loads(cli(cairn, "deployments", "list", "--target", "web", "--model", model, "-o", "json").stdout)
    assert [(d["version"], d["status"]) for d in ledger][:3] == [("1", "ready"), ("2", "ready"), ("1", "ready")]
    shown = json.loads(cli(cairn, "models", "show", model, "-o", "json").stdout)
    assert [(d["target"], d["version"], d["status"]) for d in shown["deployments"]] == [("web", "1", "ready")]
    assert "web-live→1" in cli(cairn, "models", "show", model).stdout
    one = cli(cairn, "deployments", "show", back["id"])
    assert one.returncode == 0, one.stderr
    assert re.search(r"^status:\s+ready$", one.stdout, re.M) and re.search(r"^version:\s+1$", one.stdout, re.M), one.stdout
    assert re.search(r"^previous_deployment_id:\s+d-", one.stdout, re.M), one.stdout
    targets = cli(cairn, "targets", "list", "-o", "json")
    assert "web" in [t["name"] for t in json.loads(targets.stdout)]


def test_wait_exits_1_when_the_rollout_fails_and_6_at_its_own_timeout(cairn, kube: Kube):
    model = unique("clifail")
    cairn.register(model, ["s3://models/clifail/v1"])
    timed_out = cli(cairn, "promote", model, "--version", "1", "--target", "quick-norb", "--wait", "--timeout", "1s")
    assert timed_out.returncode == 6, timed_out.stderr
    assert "still" in timed_out.stderr
    entry = cairn.ledger(target="quick-norb", model=model)[0]
    cairn.wait_status(entry["id"], {"failed"}, timeout=30)
    failed = cli(cairn, "promote", model, "--version", "1", "--target", "quick-norb", "--wait", "--timeout", "60s")
    assert failed.returncode == 1 and "ended failed" in failed.stderr, failed.stderr


def test_dry_run_prints_the_manifests_and_the_servers_verdict(cairn, kube: Kube):
    model = unique("clidry")
    cairn.register(model, ["s3://models/clidry/v1"])
    report = cli(cairn, "promote", model, "--version", "1", "--target", "dry", "--dry-run", "-o", "json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["manifests"][0]["kind"] == "InferenceService"
    text = cli(cairn, "promote", model, "--version", "1", "--target", "dry", "--dry-run")
    assert "kind: InferenceService" in text.stdout and "accepted 1 of 1" in text.stdout
    assert cairn.ledger(target="dry", model=model) == []
    missing = cli(cairn, "promote", model, "--version", "9", "--target", "dry")
    assert missing.returncode == 3
