"""Fixtures of the promotion suite: a real `cairn serve` with a targets file, a real kube-apiserver
(scripts/lib/kube.sh) with KServe's CRD, and a test that plays the KServe/Deployment controllers.

Needs CAIRN_BIN (the cairn executable) and the KUBE_* variables cairn_kube_start exports. Without
them the suite fails (it is only run where they are set up: scripts/test.sh)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

import pytest
import requests
import ssl
from requests.adapters import HTTPAdapter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "deploy"))
import validate_manifests  # noqa: E402

WEBHOOK_SECRET = "whsec-default-" + uuid.uuid4().hex
WEB_SECRET = "whsec-web-" + uuid.uuid4().hex
RUN_ID = uuid.uuid4().hex[:6]

# name -> extra settings; every target gets its own namespace so tests never share objects.
TARGETS = {
    "prod": {"kind": "kserve", "alias_on_ready": "production", "ready_timeout": "60s"},
    "web": {"kind": "deployment", "image": "registry.local/serve:1.4", "s3_credentials_secret": "models-s3",
            "alias_on_ready": "web-live", "ready_timeout": "60s", "webhook_secret_env": "CAIRN_WEBHOOK_SECRET_WEB",
            "min_replicas": 1, "max_replicas": 3},
    "dry": {"kind": "kserve"},
    "quick": {"kind": "kserve", "ready_timeout": "10s", "rollback_on_failure": True},
    "quick-norb": {"kind": "kserve", "ready_timeout": "3s", "rollback_on_failure": False},
    "shared": {"kind": "kserve"},
    "denied": {"kind": "kserve", "limited": True},
    "hooks": {"kind": "kserve", "ready_timeout": "60s"},
    "names": {"kind": "kserve", "ready_timeout": "60s"},
    "restart": {"kind": "kserve", "ready_timeout": "120s", "alias_on_ready": "restarted"},
}


def namespace_of(target: str) -> str:
    return f"cairn-{target}-{RUN_ID}"


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class PinnedCertificateAdapter(HTTPAdapter):
    """Trusts KUBE_CA_FILE, the API server's own serving certificate (not a CA): OpenSSL accepts it
    as a trust anchor only with partial-chain verification, as Go and NIOSSL clients do."""

    def __init__(self, cafile: str) -> None:
        self.context = ssl.create_default_context(cafile=cafile)
        self.context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self.context
        return super().init_poolmanager(*args, **kwargs)


class Kube:
    """The test API server, as the admin: what KServe's and Kubernetes' controllers would write."""

    def __init__(self) -> None:
        missing = [v for v in ("KUBE_API_URL", "KUBE_CA_FILE", "KUBE_ADMIN_TOKEN", "KUBE_LIMITED_TOKEN") if not os.environ.get(v)]
        if missing:
            raise pytest.UsageError(f"Tests/promotion needs a kube-apiserver: {', '.join(missing)} unset (scripts/lib/kube.sh)")
        self.url = os.environ["KUBE_API_URL"]
        self.session = requests.Session()
        self.session.mount("https://", PinnedCertificateAdapter(os.environ["KUBE_CA_FILE"]))
        self.session.headers["Authorization"] = f"Bearer {os.environ['KUBE_ADMIN_TOKEN']}"

    def get(self, path: str) -> dict | None:
        r = self.session.get(self.url + path, timeout=20)
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()

    def apply(self, path: str, obj: dict, manager: str, force: bool = True) -> requests.Response:
        params = {"fieldManager": manager}
        if force:
            params["force"] = "true"
        return self.session.patch(self.url + path, params=params, data=json.dumps(obj),
                                  headers={"Content-Type": "application/apply-patch+yaml"}, timeout=20)

    def patch_status(self, path: str, status: dict) -> dict:
        r = self.session.patch(self.url + path + "/status", data=json.dumps({"status": status}),
                               headers={"Content-Type": "application/merge-patch+json"}, timeout=20)
        assert r.status_code == 200, r.text
        return r.json()

    def create_namespace(self, name: str) -> None:
        r = self.apply(f"/api/v1/namespaces/{name}", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, "test")
        assert r.status_code in (200, 201), r.text

    @staticmethod
    def isvc_path(ns: str, name: str) -> str:
        return f"/apis/serving.kserve.io/v1beta1/namespaces/{ns}/inferenceservices/{name}"

    @staticmethod
    def deployment_path(ns: str, name: str) -> str:
        return f"/apis/apps/v1/namespaces/{ns}/deployments/{name}"

    def roll_out_deployment(self, ns: str, name: str) -> None:
        """Plays the Deployment controller: the current generation is observed and fully available."""
        live = self.get(self.deployment_path(ns, name))
        assert live is not None, f"Deployment {ns}/{name} does not exist"
        replicas = live["spec"].get("replicas", 1)
        self.patch_status(self.deployment_path(ns, name), {
            "observedGeneration": live["metadata"]["generation"], "replicas": replicas, "updatedReplicas": replicas,
            "availableReplicas": replicas, "readyReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                            "lastUpdateTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()}]})

    def play_kserve(self, ns: str, name: str) -> None:
        """Plays KServe's controller (RawDeployment): the predictor Deployment from the
        InferenceService (its predictor annotations on the pod template), rolled out, then Ready=True."""
        isvc = self.get(self.isvc_path(ns, name))
        assert isvc is not None, f"InferenceService {ns}/{name} does not exist"
        predictor = isvc["spec"]["predictor"]
        labels = {"app": f"isvc.{name}-predictor"}
        child = {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"{name}-predictor", "namespace": ns},
            "spec": {"replicas": predictor.get("minReplicas", 1), "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": {**labels, **predictor.get("labels", {})},
                                               "annotations": predictor.get("annotations", {})},
                                  "spec": {"containers": [{"name": "kserve-container", "image": "kserve/mlserver:test",
                                                           "args": [predictor["model"]["storageUri"]]}]}}},
        }
        r = self.apply(self.deployment_path(ns, f"{name}-predictor"), child, "kserve-controller")
        assert r.status_code in (200, 201), r.text
        self.roll_out_deployment(ns, f"{name}-predictor")
        self.patch_status(self.isvc_path(ns, name), {"conditions": [
            {"type": "PredictorReady", "status": "True", "lastTransitionTime": now_rfc3339()},
            {"type": "Ready", "status": "True", "lastTransitionTime": now_rfc3339()}]})


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class Cairn:
    """A `cairn serve` process with the suite's targets file; restartable."""

    def __init__(self, workdir: str, kube: Kube) -> None:
        self.bin = os.environ.get("CAIRN_BIN") or os.path.join(os.getcwd(), ".build", "debug", "cairn")
        if not os.access(self.bin, os.X_OK):
            raise pytest.UsageError(f"no cairn executable at {self.bin} (set CAIRN_BIN)")
        self.workdir = workdir
        self.kube = kube
        self.process: subprocess.Popen | None = None
        self.log_path = os.path.join(workdir, "server.log")
        self.targets_path = os.path.join(workdir, "targets.yaml")
        self._write_files()
        self.port = 0

    def _write_files(self) -> None:
        admin_kubeconfig = os.environ.get("KUBE_KUBECONFIG")
        limited = os.path.join(self.workdir, "limited.kubeconfig")
        with open(limited, "w") as f:
            f.write(json.dumps({
                "apiVersion": "v1", "kind": "Config",
                "clusters": [{"name": "test", "cluster": {"server": self.kube.url, "certificate-authority": os.environ["KUBE_CA_FILE"]}}],
                "users": [{"name": "limited", "user": {"token": os.environ["KUBE_LIMITED_TOKEN"]}}],
                "contexts": [{"name": "limited", "context": {"cluster": "test", "user": "limited"}}],
                "current-context": "limited"}))
        lines = ["targets:"]
        for name, settings in TARGETS.items():
            settings = dict(settings)
            kubeconfig = limited if settings.pop("limited", False) else admin_kubeconfig
            lines += [f"  - name: {name}", f"    namespace: {namespace_of(name)}", f"    kubeconfig: {kubeconfig}"]
            if settings["kind"] == "kserve":
                settings.setdefault("model_format", "mlflow")
                settings.setdefault("runtime", "kserve-mlserver")
                settings.setdefault("protocol_version", "v2")
            settings.setdefault("storage_uri_prefix", "s3://models")
            for key, value in settings.items():
                lines.append(f"    {key}: {json.dumps(value)}")
        with open(self.targets_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1] if self.port == 0 else self.port
        env = dict(os.environ, CAIRN_WEBHOOK_SECRET=WEBHOOK_SECRET, CAIRN_WEBHOOK_SECRET_WEB=WEB_SECRET)
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.bin, "serve", "--port", str(self.port), "--database-url", f"sqlite:{self.workdir}/cairn.db",
             "--artifacts-uri", f"{self.workdir}/artifacts", "--targets", self.targets_path,
             "--promotion-lease", "3s", "--promotion-poll-interval", "1s"],
            stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cairn serve exited {self.process.returncode}:\n{open(self.log_path).read()[-4000:]}")
            try:
                if requests.get(self.url + "/health", timeout=1).text == "OK":
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("cairn serve did not answer /health within 60 s")

    def stop(self, kill: bool = False) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        return self.process.wait(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- the API, as a CI job or an engineer calls it ------------------------------------------------

    def post(self, path: str, body: dict) -> requests.Response:
        return requests.post(self.url + path, json=body, timeout=60)

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(self.url + path, params=params, timeout=60)

    def webhook(self, body: dict | bytes, key: str | None = None, secret: str = WEBHOOK_SECRET,
                timestamp: int | None = None, signature: str | None = None) -> requests.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "X-Cairn-Signature": signature or sign(raw, secret, timestamp)}
        if key is not None:
            headers["Idempotency-Key"] = key
        return requests.post(self.url + "/api/cairn/v1/webhooks/promote", data=raw, headers=headers, timeout=60)

    def register(self, model: str, sources: list[str]) -> None:
        r = self.post("/api/2.0/mlflow/registered-models/create", {"name": model})
        assert r.status_code == 200, r.text
        for source in sources:
            r = self.post("/api/2.0/mlflow/model-versions/create", {"name": model, "source": source})
            assert r.status_code == 200, r.text

    def set_alias(self, model: str, alias: str, version: str) -> None:
        r = self.post("/api/2.0/mlflow/registered-models/alias", {"name": model, "alias": alias, "version": version})
        assert r.status_code == 200, r.text

    def alias_version(self, model: str, alias: str) -> str | None:
        r = self.get("/api/2.0/mlflow/registered-models/alias", name=model, alias=alias)
        return r.json()["model_version"]["version"] if r.status_code == 200 else None

    def deployment(self, deployment_id: str) -> dict:
        r = self.get(f"/api/cairn/v1/deployments/{deployment_id}")
        assert r.status_code == 200, r.text
        return r.json()["deployment"]

    def ledger(self, **params) -> list[dict]:
        r = self.get("/api/cairn/v1/deployments", **params)
        assert r.status_code == 200, r.text
        return r.json()["deployments"]

    def wait_status(self, deployment_id: str, statuses: set[str], timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        while True:
            deployment = self.deployment(deployment_id)
            if deployment["status"] in statuses:
                return deployment
            if time.time() > deadline:
                raise AssertionError(f"deployment stayed {deployment['status']} ({deployment['message']}), wanted {statuses}")
            time.sleep(0.3)


CRDS = None


def assert_valid_manifests(manifests: list[dict]) -> None:
    """Every rendered object passes the KServe CRD schema or Kubernetes' schemas, strictly."""
    global CRDS
    if CRDS is None:
        CRDS = validate_manifests.load_crds(validate_manifests.DEFAULT_CRDS)
    assert manifests, "no manifests"
    for doc in manifests:
        errors, against = validate_manifests.check_doc(doc, CRDS)
        assert errors == [], f"{doc['kind']} {doc['metadata']['name']} fails {against}: {errors}"


@pytest.fixture(scope="session")
def kube() -> Kube:
    k = Kube()
    for target in TARGETS:
        k.create_namespace(namespace_of(target))
    return k


@pytest.fixture(scope="session")
def cairn(kube: Kube, tmp_path_factory: pytest.TempPathFactory):
    server = Cairn(str(tmp_path_factory.mktemp("promotion")), kube)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        code = server.stop()
        assert code == 0, f"cairn serve exited {code} on SIGTERM"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"
