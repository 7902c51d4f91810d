"""`cairn artifacts`: a directory with a 200 MB file up and down byte-exact (straight to and from the
bucket on an S3 store with presigned URLs, through the artifact proxy otherwise), resume of a
partial file, an interrupted multipart upload aborted, progress only on a terminal."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import time

import pytest

BIG = 200 * 1000 * 1000
# The CLI's threshold for the direct routes (64 MiB): the 200 MB file takes them, the rest not.
DIRECT = "(1 directly with the artifact store)"


def digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def tree(root: str) -> dict[str, str]:
    found = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, root)] = digest(path)
    return found


def make_tree(root: str, big: int) -> None:
    os.makedirs(f"{root}/nested/deeper")
    with open(f"{root}/small.txt", "w") as handle:
        handle.write("hello\n")
    with open(f"{root}/nested/one.bin", "wb") as handle:
        handle.write(os.urandom(1 << 20))
    with open(f"{root}/nested/deeper/empty", "wb"):
        pass
    with open(f"{root}/big.bin", "wb") as handle:
        block = os.urandom(1 << 20)
        written = 0
        while written < big:
            piece = block[: min(len(block), big - written)]
            handle.write(piece)
            written += len(piece)
            block = hashlib.sha256(block[:64]).digest() * (len(block) // 32)


def new_run(api, unique: str) -> str:
    experiment_id = api("POST", "experiments/create", name=f"art-{unique}")["experiment_id"]
    return api("POST", "runs/create", experiment_id=experiment_id)["run"]["info"]["run_id"]


def test_a_directory_with_a_200_mb_file_goes_up_and_down_byte_exact(cli, api, unique, tmp_path, artifacts_kind):
    source = f"{tmp_path}/model"
    make_tree(source, BIG)
    run_id = new_run(api, unique)
    up = cli("artifacts", "upload", run_id, source, "--path", "outputs", timeout=600)
    assert up.code == 0, up.err
    assert "\r" not in up.err and "%" not in up.err, "no progress output when stderr is not a terminal"
    # On S3 the big file went as a multipart upload straight to the bucket; on a directory store
    # the server answered 501 to mpu/create and everything went through the proxy.
    assert (DIRECT in up.err) == (artifacts_kind == "s3"), up.err
    listed = cli("artifacts", "ls", run_id, "outputs", "-R", "-o", "json").json()
    sizes = {entry["path"]: entry.get("file_size") for entry in listed}
    assert sizes["outputs/model/big.bin"] == BIG
    assert sizes["outputs/model/nested/deeper/empty"] in (0, None)
    assert "outputs/model/small.txt" in cli("artifacts", "ls", run_id, "outputs/model").out
    down = cli("artifacts", "download", run_id, "outputs/model", "--to", f"{tmp_path}/back", timeout=600)
    assert down.code == 0, down.err
    assert (DIRECT in down.err) == (artifacts_kind == "s3"), down.err
    assert tree(f"{tmp_path}/back") == tree(source)

    # The same through the proxy when asked (a store the client cannot reach).
    proxied = cli("artifacts", "download", run_id, "outputs/model/big.bin", "--to", f"{tmp_path}/proxied", "--via-proxy", timeout=600)
    assert proxied.code == 0 and DIRECT not in proxied.err, proxied.err
    assert digest(f"{tmp_path}/proxied/big.bin") == digest(f"{source}/big.bin")

    # A partial file left by an interrupted download is resumed, and the result is still exact.
    os.makedirs(f"{tmp_path}/resumed")
    with open(f"{source}/big.bin", "rb") as whole, open(f"{tmp_path}/resumed/big.bin.part", "wb") as partial:
        partial.write(whole.read(50 * 1000 * 1000))
    single = cli("artifacts", "download", run_id, "outputs/model/big.bin", "--to", f"{tmp_path}/resumed", timeout=600)
    assert single.code == 0, single.err
    assert (DIRECT in single.err) == (artifacts_kind == "s3"), single.err
    assert os.listdir(f"{tmp_path}/resumed") == ["big.bin"]
    assert digest(f"{tmp_path}/resumed/big.bin") == digest(f"{source}/big.bin")

    # A direct download killed midway leaves pieces written out of order past a good prefix, which
    # its journal records: only that prefix is kept (whichever route resumes it).
    for route in ([], ["--via-proxy"]):
        target = f"{tmp_path}/holes{len(route)}"
        os.makedirs(target)
        with open(f"{source}/big.bin", "rb") as whole, open(f"{target}/big.bin.part", "wb") as partial:
            partial.write(whole.read(30 * 1000 * 1000))
            partial.write(b"\0" * (90 * 1000 * 1000))
        with open(f"{target}/big.bin.part.journal", "w") as journal:
            journal.write("%020d\n" % (30 * 1000 * 1000))
        holes = cli("artifacts", "download", run_id, "outputs/model/big.bin", "--to", target, *route, timeout=600)
        assert holes.code == 0, holes.err
        assert os.listdir(target) == ["big.bin"]
        assert digest(f"{target}/big.bin") == digest(f"{source}/big.bin")

    missing = cli("artifacts", "download", run_id, "no/such/file", "--to", f"{tmp_path}/none")
    assert missing.code == 3


def test_via_proxy_keeps_a_large_upload_off_the_direct_routes(cli, api, unique, tmp_path):
    path = f"{tmp_path}/large.bin"
    with open(path, "wb") as handle:
        handle.write(os.urandom(70 << 20))
    run_id = new_run(api, unique)
    up = cli("artifacts", "upload", run_id, path, "--via-proxy", timeout=600)
    assert up.code == 0 and DIRECT not in up.err, up.err
    listed = cli("artifacts", "ls", run_id, "-o", "json").json()
    assert [(e["path"], e.get("file_size")) for e in listed] == [("large.bin", 70 << 20)]
    down = cli("artifacts", "download", run_id, "large.bin", "--to", f"{tmp_path}/back", timeout=600)
    assert down.code == 0, down.err
    assert digest(f"{tmp_path}/back/large.bin") == digest(path)


def multipart_keys(bucket: str) -> list[str]:
    """The keys of the bucket's unfinished multipart uploads (ListMultipartUploads, signed by curl's
    own SigV4 as scripts/lib/s3.sh does; the test venv has no boto3)."""
    done = subprocess.run(["curl", "-sf", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                           f"{os.environ['CLI_S3_ACCESS_KEY']}:{os.environ['CLI_S3_SECRET_KEY']}",
                           f"{os.environ['CLI_S3_ENDPOINT']}/{bucket}?uploads="], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return re.findall(r"<Upload>.*?<Key>(.*?)</Key>", done.stdout, re.S)


def test_an_interrupted_multipart_upload_is_aborted(cli, api, unique, tmp_path, artifacts_kind):
    if artifacts_kind != "s3":
        pytest.skip("multipart uploads need the S3 store (the CLI run on SQLite)")
    bucket = os.environ["CLI_S3_ARTIFACTS"].removeprefix("s3://").split("/")[0]
    run_id = new_run(api, unique)
    path = f"{tmp_path}/huge-{unique}.bin"
    with open(path, "wb") as handle:
        handle.truncate(4 << 30)  # sparse: 4 GiB of zeros read fast and cost no disk
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": cli.home, "CAIRN_TRACKING_URI": cli.uri, "CAIRN_TOKEN": cli.token}
    upload = subprocess.Popen([cli.binary, "artifacts", "upload", run_id, path], env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def ours():
        return [key for key in multipart_keys(bucket) if key.endswith(f"/{run_id}/artifacts/huge-{unique}.bin")]

    try:
        deadline = time.monotonic() + 60
        while not ours() and upload.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert upload.poll() is None, "the upload ended before it could be interrupted"
        assert ours(), "no multipart upload appeared in the bucket"
        time.sleep(0.5)  # some parts in flight
        upload.send_signal(signal.SIGINT)
        _, err = upload.communicate(timeout=60)
    finally:
        if upload.poll() is None:
            upload.kill()
            upload.wait()
    assert upload.returncode == 130, err
    assert err.strip().endswith("Error: Interrupted"), err
    assert ours() == [], "the interrupted upload was not aborted"
    assert cli("artifacts", "ls", run_id, "-o", "json").json() == []


def test_the_progress_bar_advances_on_a_terminal(cli, api, unique, tmp_path):
    source = f"{tmp_path}/data"
    os.makedirs(source)
    with open(f"{source}/blob.bin", "wb") as handle:
        for _ in range(200):
            handle.write(os.urandom(1 << 20))
    run_id = new_run(api, unique)
    command = [cli.binary, "artifacts", "upload", run_id, source, "--parallel", "2"]
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": cli.home, "CAIRN_TRACKING_URI": cli.uri, "CAIRN_TOKEN": cli.token,
                   "TERM": "xterm"}
    # `script` gives the command a pseudo-terminal for stdout and stderr and copies what it draws.
    done = subprocess.run(["script", "-qfec", shlex.join(command), f"{tmp_path}/typescript"], capture_output=True,
                          env=environment, timeout=600)
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]
    drawn = open(f"{tmp_path}/typescript", "rb").read().decode(errors="replace")
    percents = [int(p) for p in re.findall(r"upload\s+(\d+)%", drawn)]
    assert len(percents) >= 3, drawn[-2000:]
    assert percents == sorted(percents) and percents[-1] == 100 and percents[0] < 100
    assert "MiB/s" in drawn and "files" in drawn

    # The download's bar too (on S3 both go straight to and from the bucket, counted the same way).
    command = [cli.binary, "artifacts", "download", run_id, "data/blob.bin", "--to", f"{tmp_path}/back"]
    done = subprocess.run(["script", "-qfec", shlex.join(command), f"{tmp_path}/typescript-down"], capture_output=True,
                          env=environment, timeout=600)
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]
    drawn = open(f"{tmp_path}/typescript-down", "rb").read().decode(errors="replace")
    percents = [int(p) for p in re.findall(r"download\s+(\d+)%", drawn)]
    assert len(percents) >= 2 and percents == sorted(percents) and percents[-1] == 100, drawn[-2000:]
