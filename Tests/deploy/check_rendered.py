#!/usr/bin/env python3
"""What deploy/'s rendered overlays must say, beyond schema validity (validate_manifests.py).

usage: check_rendered.py dev RENDERED.yaml
       check_rendered.py production RENDERED.yaml

Every overlay: the hardened pod (non-root, read-only root, no privilege escalation, no
capabilities, seccomp RuntimeDefault, /tmp an emptyDir), probes on /startupz, /readyz and /livez,
ports http 5000 and metrics 9090, token auth on 0.0.0.0, a grace period longer than
CAIRN_SHUTDOWN_DELAY + CAIRN_SHUTDOWN_GRACE, requests and limits, a default-deny NetworkPolicy,
and no Secret (the operator creates it; secret.example.yaml is not in any kustomization).
production: 2 replicas, HPA and PDB, PostgreSQL URL with sslmode=verify-full and an sslrootcert on
a mounted volume, composed after the variable it expands, the RBAC bound to the pod's
ServiceAccount, the ServiceMonitor on the Service's metrics port, and a PrometheusRule whose groups
are deploy/monitoring/cairn-rules.yaml's. dev: 1 replica, Recreate, SQLite and artifacts on the
PersistentVolumeClaim's mount, no HPA or PDB. Prints one line per failed rule; exit 1 if any.
"""
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(ROOT, "deploy", "monitoring", "cairn-rules.yaml")


def seconds(text):
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", text or "")
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def main():
    overlay, path = sys.argv[1], sys.argv[2]
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    errors = []

    def expect(condition, message):
        if not condition:
            errors.append(message)
        return condition

    def one(kind, name="cairn"):
        found = [d for d in by_kind.get(kind, []) if d["metadata"]["name"] == name or d["metadata"]["name"].startswith(name + "-")]
        expect(len(found) == 1, f"expected one {kind} {name}, found {len(found)}")
        return found[0] if found else None

    expect("Secret" not in by_kind, "a Secret is rendered: secrets are the operator's (secret.example.yaml stays out)")
    deployment = one("Deployment")
    if deployment is None:
        print("\n".join(errors))
        return 1
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    psc, csc = pod.get("securityContext", {}), container.get("securityContext", {})
    expect(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0, "pod must run as a non-root user")
    expect(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "pod seccompProfile must be RuntimeDefault")
    expect(csc.get("readOnlyRootFilesystem") is True, "container needs readOnlyRootFilesystem: true")
    expect(csc.get("allowPrivilegeEscalation") is False, "container needs allowPrivilegeEscalation: false")
    expect(csc.get("capabilities", {}).get("drop") == ["ALL"], "container must drop ALL capabilities")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    expect("emptyDir" in volumes.get(mounts.get("/tmp"), {}), "/tmp must be an emptyDir")
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    expect(ports == {"http": 5000, "metrics": 9090}, f"ports must be http 5000 and metrics 9090, not {ports}")
    for probe, route in (("startupProbe", "/startupz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
        get = container.get(probe, {}).get("httpGet", {})
        expect(get.get("path") == route and get.get("port") == "http", f"{probe} must GET {route} on port http")
    for kind in ("requests", "limits"):
        expect({"cpu", "memory"} <= set(container.get("resources", {}).get(kind, {})), f"resources.{kind} needs cpu and memory")

    env = container.get("env", [])
    env_names = [e["name"] for e in env]
    values = {e["name"]: e.get("value") for e in env}
    config = {}
    for ref in container.get("envFrom", []):
        name = ref.get("configMapRef", {}).get("name")
        cm = next((d for d in by_kind.get("ConfigMap", []) if d["metadata"]["name"] == name), None)
        if expect(cm is not None, f"envFrom names ConfigMap {name}, which is not rendered"):
            config.update(cm.get("data", {}))
    setting = lambda key: values.get(key, config.get(key))  # noqa: E731
    expect(setting("CAIRN_HOST") == "0.0.0.0" and setting("CAIRN_AUTH") == "token", "Cairn must listen on 0.0.0.0 with CAIRN_AUTH=token")
    expect(setting("CAIRN_METRICS_PORT") == "9090", "CAIRN_METRICS_PORT must be 9090 (the metrics port)")
    try:
        budget = seconds(setting("CAIRN_SHUTDOWN_DELAY")) + seconds(setting("CAIRN_SHUTDOWN_GRACE"))
        expect(pod.get("terminationGracePeriodSeconds", 30) > budget,
               f"terminationGracePeriodSeconds {pod.get('terminationGracePeriodSeconds', 30)} must exceed shutdown delay + grace ({budget:g} s)")
    except ValueError as error:
        errors.append(f"CAIRN_SHUTDOWN_DELAY / CAIRN_SHUTDOWN_GRACE: {error}")
    for secret_ref in (e["valueFrom"]["secretKeyRef"] for e in env if "secretKeyRef" in e.get("valueFrom", {})):
        expect(secret_ref["name"] == "cairn-secrets", f"secretKeyRef to {secret_ref['name']}: expected cairn-secrets")
    expect(any(d["spec"].get("podSelector") == {} and set(d["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
               for d in by_kind.get("NetworkPolicy", [])), "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress)")

    if overlay == "production":
        expect(deployment["spec"].get("replicas") == 2, "production runs 2 replicas")
        hpa, pdb = one("HorizontalPodAutoscaler"), one("PodDisruptionBudget")
        expect(hpa is None or hpa["apiVersion"] == "autoscaling/v2", "the HPA must be autoscaling/v2")
        expect(pdb is None or pdb["apiVersion"] == "policy/v1", "the PDB must be policy/v1")
        url = values.get("CAIRN_DATABASE_URL") or ""
        expect("sslmode=verify-full" in url, f"CAIRN_DATABASE_URL must ask for sslmode=verify-full: {url!r}")
        root = re.search(r"sslrootcert=([^&]+)", url)
        if expect(root is not None, "CAIRN_DATABASE_URL needs sslrootcert"):
            directory = os.path.dirname(root.group(1))
            expect(directory in mounts and ("configMap" in volumes[mounts[directory]] or "secret" in volumes[mounts[directory]]),
                   f"sslrootcert's directory {directory} must be a mounted ConfigMap or Secret volume")
        for ref in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", url):
            expect(ref in env_names[:env_names.index("CAIRN_DATABASE_URL")],
                   f"CAIRN_DATABASE_URL expands $({ref}), which must be defined before it in env")
        account = pod.get("serviceAccountName")
        expect(pod.get("automountServiceAccountToken") is True, "production mounts the ServiceAccount token (in-cluster promotions)")
        namespace = deployment["metadata"].get("namespace")
        bindings = [b for b in by_kind.get("RoleBinding", []) if b["roleRef"]["name"] == "cairn-promoter"]
        expect(bindings and all(any(s.get("kind") == "ServiceAccount" and s.get("name") == account and s.get("namespace") == namespace
                                    for s in b["subjects"]) for b in bindings),
               f"the cairn-promoter RoleBinding must bind ServiceAccount {namespace}/{account}")
        one("ClusterRole", "cairn-promoter")
        targets = setting("CAIRN_TARGETS") or ""
        expect(os.path.dirname(targets) in mounts, f"CAIRN_TARGETS {targets!r} is not on a mounted volume")
        service, monitor, rule = one("Service"), one("ServiceMonitor"), one("PrometheusRule")
        if service and monitor:
            expect({e.get("port") for e in monitor["spec"]["endpoints"]} <= {p["name"] for p in service["spec"]["ports"]},
                   "the ServiceMonitor must scrape a named port of the Service")
            expect(monitor["spec"]["selector"].get("matchLabels", {}).items() <= service["metadata"].get("labels", {}).items(),
                   "the ServiceMonitor's selector must match the Service's labels")
        if rule:
            expect(rule["spec"]["groups"] == yaml.safe_load(open(RULES))["groups"],
                   "the rendered PrometheusRule's groups differ from deploy/monitoring/cairn-rules.yaml")
    elif overlay == "dev":
        expect(deployment["spec"].get("replicas") == 1, "dev runs 1 replica")
        expect(deployment["spec"].get("strategy") == {"type": "Recreate"}, "dev uses strategy Recreate (one SQLite writer)")
        for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
            expect(kind not in by_kind, f"dev must not render a {kind}")
        data = [m for m, v in mounts.items() if "persistentVolumeClaim" in volumes.get(v, {})]
        database, artifacts = setting("CAIRN_DATABASE_URL") or "", setting("CAIRN_ARTIFACTS_URI") or ""
        expect(len(data) == 1 and database.startswith("sqlite:" + data[0] + "/") and artifacts.startswith(data[0] + "/"),
               f"dev keeps SQLite ({database!r}) and artifacts ({artifacts!r}) on the PVC mount {data}")
        expect(not any(e.get("valueFrom", {}).get("secretKeyRef", {}).get("key") in ("database-url", "s3-access-key-id", "s3-secret-access-key")
                       for e in env), "dev must not need the database or S3 keys of the Secret")
    else:
        errors.append(f"unknown overlay {overlay!r}")

    for error in errors:
        print(f"ERROR {overlay}: {error}")
    print(f"{overlay}: {'rendered manifests keep their contract' if not errors else f'{len(errors)} rule(s) broken'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
