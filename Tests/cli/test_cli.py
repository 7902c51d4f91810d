"""The `cairn` CLI against a real server: output formats, exit codes 0-5 and 7, safe re-runs."""

from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import threading
import time


def test_experiments_create_list_show_delete_in_every_format(cli, unique):
    created = cli("experiments", "create", f"exp-{unique}")
    assert created.code == 0, created.err
    experiment_id = created.out.strip()
    assert experiment_id.isdigit()
    table = cli("experiments", "list", "--filter", f"name = 'exp-{unique}'")
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CREATED", "UPDATED"]
    assert lines[1].split()[:2] == [experiment_id, f"exp-{unique}"]
    listed = cli("experiments", "list", "--filter", f"name = 'exp-{unique}'", "-o", "json").json()
    assert [e["experiment_id"] for e in listed] == [experiment_id]
    assert cli("experiments", "show", f"exp-{unique}", "-o", "json").json()["experiment_id"] == experiment_id
    assert f"name: exp-{unique}" in cli("experiments", "show", experiment_id, "-o", "yaml").out
    assert cli("experiments", "delete", f"exp-{unique}").code == 0
    shown = cli("experiments", "show", experiment_id, "-o", "json").json()
    assert shown["lifecycle_stage"] == "deleted"


def test_a_missing_experiment_exits_3_with_the_servers_error(cli, unique):
    result = cli("experiments", "show", f"no-such-{unique}")
    assert result.code == 3
    assert result.err.startswith("Error: RESOURCE_DOES_NOT_EXIST: ")
    assert result.out == ""


def make_runs(api, experiment_id: str, count: int) -> list[str]:
    ids = []
    for index in range(count):
        run = api("POST", "runs/create", experiment_id=experiment_id, run_name=f"run-{index}", start_time=1_700_000_000_000 + index)
        run_id = run["run"]["info"]["run_id"]
        api("POST", "runs/log-batch", run_id=run_id, params=[{"key": "lr", "value": str(0.1 if index % 2 else 0.01)}],
            metrics=[{"key": "loss", "value": 1.0 / (index + 1), "timestamp": 1, "step": 0}])
        ids.append(run_id)
    return ids


def test_runs_list_pages_through_every_run_as_ndjson(cli, api, unique):
    experiment_id = api("POST", "experiments/create", name=f"runs-{unique}")["experiment_id"]
    ids = make_runs(api, experiment_id, 7)
    streamed = cli("runs", "list", "--experiment", f"runs-{unique}", "--all", "-o", "ndjson", env={})
    assert streamed.code == 0, streamed.err
    rows = [json.loads(line) for line in streamed.out.splitlines()]
    assert sorted(r["info"]["run_id"] for r in rows) == sorted(ids)
    limited = cli("runs", "list", "--experiment", experiment_id, "--max", "3")
    assert len(limited.out.splitlines()) == 1 + 3
    assert "more results" in limited.err
    ordered = cli("runs", "list", "--experiment", experiment_id, "--order-by", "metrics.loss ASC", "--filter", "params.lr = '0.1'",
                  "-o", "json").json()
    losses = [next(m["value"] for m in r["data"]["metrics"] if m["key"] == "loss") for r in ordered]
    assert len(ordered) == 3 and losses == sorted(losses)


def test_a_bad_filter_is_shown_in_the_servers_words_and_exits_1(cli, api, unique):
    api("POST", "experiments/create", name=f"filter-{unique}")
    result = cli("runs", "list", "--experiment", f"filter-{unique}", "--filter", "metrics.loss <<< 1")
    assert result.code == 1
    assert result.err.startswith("Error: INVALID_PARAMETER_VALUE: ")


def test_runs_show_and_compare_mark_what_differs(cli, api, unique):
    experiment_id = api("POST", "experiments/create", name=f"cmp-{unique}")["experiment_id"]
    first, second = make_runs(api, experiment_id, 2)
    shown = cli("runs", "show", first)
    assert shown.code == 0 and "params:" in shown.out and "lr" in shown.out
    compared = cli("runs", "compare", first, second)
    assert compared.code == 0, compared.err
    differing = [line for line in compared.out.splitlines() if line.startswith("*")]
    assert any("lr" in line for line in differing) and any("loss" in line for line in differing)
    assert cli("runs", "compare", first).code == 2


def test_metric_history_sparkline_and_every_point_as_csv(cli, api, unique):
    experiment_id = api("POST", "experiments/create", name=f"hist-{unique}")["experiment_id"]
    run_id = api("POST", "runs/create", experiment_id=experiment_id)["run"]["info"]["run_id"]
    values = [float(i % 50) for i in range(500)]
    values[250] = 1000.0
    for start in range(0, 500, 250):
        api("POST", "runs/log-batch", run_id=run_id,
            metrics=[{"key": "loss", "value": v, "timestamp": 1, "step": start + i} for i, v in enumerate(values[start:start + 250])])
    summary = cli("metrics", "history", run_id, "loss")
    assert summary.code == 0
    spark = summary.out.splitlines()[0]
    assert "█" in spark and len(spark) <= 80, "the spike survives the bucketing"
    assert "max 1000" in summary.out and "500 points" in summary.out
    csv = cli("metrics", "history", run_id, "loss", "-o", "csv").out.splitlines()
    assert csv[0] == "step,timestamp,value" and len(csv) == 501
    assert cli("metrics", "history", run_id, "loss", "-o", "json").json()[250]["value"] == 1000.0


def test_register_with_a_key_is_safe_to_rerun(cli, unique):
    model = f"model-{unique}"
    first = cli("models", "register", model, "--source", "s3://bucket/a", "--idempotency-key", f"ci-{unique}")
    again = cli("models", "register", model, "--source", "s3://bucket/a", "--idempotency-key", f"ci-{unique}")
    assert (first.code, first.out.strip()) == (0, "1")
    assert (again.code, again.out.strip()) == (0, "1"), "the same key returns the same version"
    other = cli("models", "register", model, "--source", "s3://bucket/b")
    assert other.out.strip() == "2"
    reused = cli("models", "register", model, "--source", "s3://bucket/c", "--idempotency-key", f"ci-{unique}")
    assert reused.code == 1 and "IDEMPOTENCY_KEY_REUSED" in reused.err


def test_alias_compare_and_swap_exits_5_when_stale(cli, unique):
    model = f"alias-{unique}"
    for source in ("s3://b/1", "s3://b/2", "s3://b/3"):
        assert cli("models", "register", model, "--source", source).code == 0
    assert cli("models", "alias", "set", model, "champion", "1", "--expect-version", "0").code == 0
    assert cli("models", "alias", "set", model, "champion", "2", "--expect-version", "1").code == 0
    stale = cli("models", "alias", "set", model, "champion", "3", "--expect-version", "1")
    assert stale.code == 5 and "RESOURCE_CONFLICT" in stale.err
    shown = cli("models", "show", model, "-o", "json").json()
    assert {a["alias"]: a["version"] for a in shown["aliases"]} == {"champion": "2"}
    assert [v["version"] for v in shown["versions"]] == ["3", "2", "1"]
    assert cli("models", "tag", model, "team=risk", "stage=canary").code == 0
    assert cli("models", "tag", model, "--version", "2", "approved=yes").code == 0
    assert {t["key"]: t["value"] for t in cli("models", "show", model, "-o", "json").json()["tags"]} == {"team": "risk", "stage": "canary"}
    assert cli("models", "alias", "delete", model, "champion").code == 0
    assert "champion" not in cli("models", "show", model).out
    audit = cli("audit", "--model", model, "-o", "json").json()
    assert "set_registered_model_alias" in [e["action"] for e in audit]
    assert cli("models", "list", "--filter", f"name = '{model}'").out.splitlines()[1].split()[:2] == [model, "3"]


def test_not_authenticated_and_not_allowed_exit_4(cli, unique):
    bad = cli("experiments", "list", token="cairn_not_a_token")
    assert bad.code == 4 and "UNAUTHENTICATED" in bad.err
    reader = cli("tokens", "create", f"reader-{unique}", "--scope", "read").out.strip()
    refused = cli("experiments", "create", f"denied-{unique}", token=reader)
    assert refused.code == 4 and "PERMISSION_DENIED" in refused.err


def test_an_unreachable_server_exits_7_after_retrying_within_the_budget(cli):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = cli("experiments", "list", "--tracking-uri", f"http://127.0.0.1:{port}", "--retry-for", "2s")
    elapsed = time.monotonic() - started
    assert result.code == 7 and "Cannot reach the server" in result.err
    assert 0.2 < elapsed < 10, elapsed


def test_no_configured_server_says_how_to_configure_one(cli):
    result = cli("experiments", "list", "--retry-for", "0", env={"CAIRN_TRACKING_URI": "", "HOME": "/nonexistent"})
    if result.code == 7:
        assert "No server is configured" in result.err and "cairn login" in result.err


def test_usage_errors_exit_2(cli):
    assert cli("runs", "list").code == 2
    assert cli("models", "alias", "set", "m", "a", "not-a-number").code == 2
    assert cli("promote", "m", "--target", "t").code == 2, "one of --version and --alias is required"


class FlakyHandler(http.server.BaseHTTPRequestHandler):
    """503 with Retry-After: 1 twice, then an empty experiment list."""
    calls: list[float] = []

    def do_POST(self):  # noqa: N802
        FlakyHandler.calls.append(time.monotonic())
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if len(FlakyHandler.calls) <= 2:
            body, status = b'{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}', 503
        else:
            body, status = b'{"experiments":[]}', 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 503:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_503_is_retried_after_its_retry_after():
    FlakyHandler.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        import subprocess
        done = subprocess.run([os.environ["CAIRN_BIN"], "experiments", "list", "--tracking-uri",
                               f"http://127.0.0.1:{server.server_address[1]}", "--retry-for", "30s"],
                              capture_output=True, text=True, timeout=60, env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent"})
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert len(FlakyHandler.calls) == 3
    gaps = [b - a for a, b in zip(FlakyHandler.calls, FlakyHandler.calls[1:])]
    assert all(gap >= 0.95 for gap in gaps), gaps


def test_doctor_reports_identity_scope_and_version(cli, unique):
    result = cli("doctor")
    assert result.code == 0, result.err
    assert "identity: admin-env, scope admin, authentication token" in result.out
    assert "version:  server" in result.out and "clock:" in result.out
    bad = cli("doctor", token="cairn_wrong")
    assert bad.code == 4


def test_login_saves_a_private_profile_that_later_commands_use(cli, admin_token, unique):
    saved = cli("login", "--tracking-uri", cli.uri, "--name", "ci", stdin=admin_token + "\n", token=None,
                env={"CAIRN_TRACKING_URI": ""})
    assert saved.code == 0, saved.err
    path = f"{cli.home}/config/cairn/profiles.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    listed = cli("experiments", "list", "--profile", "ci", token=None, env={"CAIRN_TRACKING_URI": ""})
    assert listed.code == 0, listed.err
    missing = cli("experiments", "list", "--profile", "nope", token=None, env={"CAIRN_TRACKING_URI": ""})
    assert missing.code == 2 and "cairn login --name nope" in missing.err


def test_tokens_over_the_api(cli, unique):
    created = cli("tokens", "create", f"ci-{unique}", "--scope", "write", "--allowed-target", "staging")
    assert created.code == 0 and created.out.startswith("cairn_")
    assert f"ci-{unique}\twrite\tactive" in cli("tokens", "list").out
    assert cli("tokens", "revoke", f"ci-{unique}").code == 0
    assert f"ci-{unique}\twrite\trevoked" in cli("tokens", "list").out


def test_shell_completion_scripts_are_generated(cli):
    for shell in ("bash", "zsh", "fish"):
        script = cli("--generate-completion-script", shell, token=None)
        assert script.code == 0 and "artifacts" in script.out and "promote" in script.out, shell
