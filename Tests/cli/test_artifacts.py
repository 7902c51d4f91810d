"""`cairn artifacts`: a directory with a 200 MB file up and down byte-exact, resume, progress only on a terminal."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess

BIG = 200 * 1000 * 1000


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


def test_a_directory_with_a_200_mb_file_goes_up_and_down_byte_exact(cli, api, unique, tmp_path):
    source = f"{tmp_path}/model"
    make_tree(source, BIG)
    run_id = new_run(api, unique)
    up = cli("artifacts", "upload", run_id, source, "--path", "outputs", timeout=600)
    assert up.code == 0, up.err
    assert "\r" not in up.err and "%" not in up.err, "no progress output when stderr is not a terminal"
    listed = cli("artifacts", "ls", run_id, "outputs", "-R", "-o", "json").json()
    sizes = {entry["path"]: entry.get("file_size") for entry in listed}
    assert sizes["outputs/model/big.bin"] == BIG
    assert sizes["outputs/model/nested/deeper/empty"] in (0, None)
    assert "outputs/model/small.txt" in cli("artifacts", "ls", run_id, "outputs/model").out
    down = cli("artifacts", "download", run_id, "outputs/model", "--to", f"{tmp_path}/back", timeout=600)
    assert down.code == 0, down.err
    assert tree(f"{tmp_path}/back") == tree(source)

    # A partial file left by an interrupted download is resumed, and the result is still exact.
    os.makedirs(f"{tmp_path}/resumed")
    with open(f"{source}/big.bin", "rb") as whole, open(f"{tmp_path}/resumed/big.bin.part", "wb") as partial:
        partial.write(whole.read(50 * 1000 * 1000))
    single = cli("artifacts", "download", run_id, "outputs/model/big.bin", "--to", f"{tmp_path}/resumed", timeout=600)
    assert single.code == 0, single.err
    assert os.listdir(f"{tmp_path}/resumed") == ["big.bin"]
    assert digest(f"{tmp_path}/resumed/big.bin") == digest(f"{source}/big.bin")

    missing = cli("artifacts", "download", run_id, "no/such/file", "--to", f"{tmp_path}/none")
    assert missing.code == 3


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
