"""Artifacts in S3 through Cairn: runs only when scripts/test.sh started Cairn with
--artifacts-uri s3://... on SeaweedFS (COMPAT_ARTIFACTS=s3).

The nested directory goes through the artifact proxy (one PUT per file); the 600 MB file is over
the client's 500 MB threshold, so with `multipart_uploads_enabled` in server-info the client uploads
it in parts straight to presigned S3 URLs (mpu/create, PUT parts, mpu/complete) and downloads it
with presigned ranged GETs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.tracking import MlflowClient

pytestmark = pytest.mark.skipif(
    os.environ.get("COMPAT_ARTIFACTS") != "s3", reason="needs Cairn with S3 artifacts (COMPAT_ARTIFACTS=s3)"
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_server_info_offers_multipart_for_s3(tracking_uri: str) -> None:
    info = requests.get(tracking_uri.rstrip("/") + "/api/3.0/mlflow/server-info", timeout=10).json()
    assert info["multipart_uploads_enabled"] is True
    assert info["multipart_downloads_enabled"] is True


def test_nested_directory_round_trips_byte_identical(client: MlflowClient, run_id: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "a" / "b" / "c").mkdir(parents=True)
    (source / "top.txt").write_text("top level\n")
    (source / "a" / "weights.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (source / "a" / "b" / "config.json").write_text('{"lr": 0.1}')
    (source / "a" / "b" / "c" / "deep name with spaces.txt").write_text("deep\n")
    (source / "a" / "b" / "c" / "empty.dat").write_bytes(b"")
    client.log_artifacts(run_id, str(source), artifact_path="tree")

    listing = {f.path: f for f in client.list_artifacts(run_id, "tree/a")}
    assert set(listing) == {"tree/a/b", "tree/a/weights.bin"}
    assert listing["tree/a/weights.bin"].file_size == 3 * 1024 * 1024 + 17

    target = tmp_path / "target"
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="tree", dst_path=str(target))
    assert _tree(Path(local)) == _tree(source)


def _artifact_root(client: MlflowClient, run_id: str) -> str:
    uri = client.get_run(run_id).info.artifact_uri
    root = uri.split("/mlflow-artifacts/artifacts", 1)[-1] if "/mlflow-artifacts/artifacts" in uri else uri.split(":", 1)[-1]
    return root.strip("/")


def test_600_mb_file_uploads_in_parts_and_round_trips(
    client: MlflowClient, run_id: str, tmp_path: Path, tracking_uri: str
) -> None:
    source = tmp_path / "big" / "model.bin"
    source.parent.mkdir()
    size = 600 * 1000 * 1000 + 12345
    digest = hashlib.sha256()
    with source.open("wb") as handle:
        remaining = size
        block = os.urandom(8 * 1024 * 1024)
        counter = 0
        while remaining > 0:
            piece = (counter.to_bytes(8, "little") + block)[: min(remaining, len(block) + 8)]
            handle.write(piece)
            digest.update(piece)
            remaining -= len(piece)
            counter += 1
    expected = digest.hexdigest()
    try:
        client.log_artifact(run_id, str(source), artifact_path="checkpoints")
        sizes = {f.path: f.file_size for f in client.list_artifacts(run_id, "checkpoints")}
        assert sizes == {"checkpoints/model.bin": size}
        # The object was assembled by S3 from parts (multipart ETags end in -<part count>), and a
        # presigned GET reaches it without Cairn.
        presigned = requests.get(
            f"{tracking_uri.rstrip('/')}/api/2.0/mlflow-artifacts/presigned/{_artifact_root(client, run_id)}/checkpoints/model.bin",
            timeout=30,
        ).json()
        assert presigned["file_size"] == size
        first = requests.get(presigned["url"], headers={"Range": "bytes=0-15"}, timeout=30)
        assert first.status_code == 206
        assert "-" in first.headers["ETag"], first.headers["ETag"]
        with source.open("rb") as handle:
            assert first.content == handle.read(16)
        source.unlink()
        local = Path(
            mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path="checkpoints/model.bin", dst_path=str(tmp_path / "down")
            )
        )
        assert local.stat().st_size == size
        assert _sha256(local) == expected
        local.unlink()
    finally:
        source.unlink(missing_ok=True)


def test_proxied_download_streams_the_same_bytes(client: MlflowClient, run_id: str, tracking_uri: str) -> None:
    payload = os.urandom(1024 * 1024 + 3)
    base = tracking_uri.rstrip("/") + "/api/2.0/mlflow-artifacts/artifacts"
    root = _artifact_root(client, run_id)
    assert requests.put(f"{base}/{root}/proxied.bin", data=payload, timeout=60).status_code == 200
    got = requests.get(f"{base}/{root}/proxied.bin", timeout=60)
    assert got.status_code == 200 and got.content == payload
    ranged = requests.get(f"{base}/{root}/proxied.bin", headers={"Range": "bytes=10-19"}, timeout=60)
    assert ranged.status_code == 206 and ranged.content == payload[10:20]
