#!/usr/bin/env python3
"""Offline schema checks of Kubernetes manifests rendered by Cairn (and of deploy/).

usage: validate_manifests.py [--crd CRD.yaml]... PATH...      (PATH: a .yaml file or a directory of them;
                                                              kustomization.yaml files are skipped)
       validate_manifests.py --self-test [--crd CRD.yaml]...  (planted errors must all be caught)

* Custom resources: jsonschema against the CRD's openAPIV3Schema, made strict like
  fieldValidation=Strict: objects that list `properties` reject unknown fields unless they carry
  x-kubernetes-preserve-unknown-fields (shared/reference/test-services.md, appendix E). By default
  the CRDs are KServe v0.20.0's real InferenceService CRD (Tests/fixtures/kserve-inferenceservice-crd.yaml)
  and hand-written minimal subsets of the Prometheus operator's ServiceMonitor and PrometheusRule
  (Tests/fixtures/prometheus-operator-*-crd.yaml: only the fields they list are accepted).
  The CRDs leave `metadata` open, so names, labels and annotations are checked here by hand.
* Built-in kinds: kubernetes-validate in strict mode (unknown fields rejected), against the newest
  Kubernetes release whose schemas still have that apiVersion (autoscaling/v2beta2 -> 1.25).
  A kind with no schema at all is an error, not the silent WARN of the kubernetes-validate CLI.
Exit status 0 when every document passes.
"""
import argparse
import copy
import os
import re
import sys

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "fixtures")
DEFAULT_CRDS = [os.path.join(FIXTURES, name) for name in (
    "kserve-inferenceservice-crd.yaml",
    "prometheus-operator-servicemonitor-crd.yaml",
    "prometheus-operator-prometheusrule-crd.yaml",
)]
LEGACY_PREDICTOR_KEYS = ["sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml", "lightgbm", "paddle", "huggingface"]
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


def strictify(schema):
    schema = copy.deepcopy(schema)

    def walk(node):
        if not isinstance(node, dict):
            return
        if node.get("type") == "object" and "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields") \
                and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            if isinstance(value, dict):
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
    walk(schema)
    return schema


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the CRD is 2 MB: libyaml reads it in a second


def load_crds(paths):
    crds = {}
    for path in paths:
        with open(path) as f:
            for doc in yaml.load_all(f, Loader=LOADER):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    for version in doc["spec"]["versions"]:
                        key = (doc["spec"]["group"] + "/" + version["name"], doc["spec"]["names"]["kind"])
                        crds[key] = jsonschema.Draft7Validator(strictify(version["schema"]["openAPIV3Schema"]))
    return crds


def metadata_errors(doc):
    """Name, label and annotation rules the CRD schema does not check."""
    errors = []
    meta = doc.get("metadata") or {}
    name = meta.get("name", "")
    if not DNS1035.match(name) or len(name) > 63:
        errors.append(f"metadata.name: {name!r} is not a DNS-1035 label")
    for where in ("metadata", "spec.predictor"):
        node = doc if where == "metadata" else (doc.get("spec") or {}).get("predictor") or {}
        node = node.get("metadata", node) if where == "metadata" else node
        for key, value in (node.get("labels") or {}).items():
            if not QUALIFIED.match(key) or not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
                errors.append(f"{where}.labels: {key}={value!r} breaks the label rules")
        for key, value in (node.get("annotations") or {}).items():
            if not QUALIFIED.match(key) or not isinstance(value, str):
                errors.append(f"{where}.annotations: {key}={value!r} is not a string annotation")
    predictor = (doc.get("spec") or {}).get("predictor") or {}
    for legacy in LEGACY_PREDICTOR_KEYS:
        if legacy in predictor:
            errors.append(f"spec.predictor.{legacy}: legacy framework key (use spec.predictor.model)")
    return errors


def builtin_version(doc):
    """The newest Kubernetes release with a strict schema for this kind and apiVersion, or None."""
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", doc["apiVersion"])
    name = f"{doc['kind'].lower()}-{api}.json"
    for version in reversed(kv.all_versions()):
        try:
            kv.schema_contents(f"kubernetes-json-schema/v{version}-local-strict/{name}", version)
            return version
        except (FileNotFoundError, OSError):
            continue
    return None


def check_doc(doc, crds):
    """A list of error strings for one document (empty when it passes) and what it was checked against."""
    if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
        return ["not a Kubernetes object (apiVersion and kind are required)"], "-"
    validator = crds.get((doc["apiVersion"], doc["kind"]))
    if validator is not None:
        errors = [f"{'.'.join(map(str, e.path)) or '<root>'}: {e.message}"
                  for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))]
        return errors + metadata_errors(doc), "CRD schema (strict)"
    group = doc["apiVersion"].rpartition("/")[0]
    if "." in group and not group.endswith(".k8s.io"):  # built-in groups: core, apps, policy, *.k8s.io
        return [f"no CRD schema for {doc['apiVersion']} {doc['kind']}"], "-"
    version = builtin_version(doc)
    if version is None:
        return [f"no Kubernetes schema for {doc['apiVersion']} {doc['kind']} in kubernetes-validate {kubernetes_validate.__version__}"], "-"
    try:
        kv.validate(doc, version, strict=True)
        return [], f"kubernetes {version} (strict)"
    except kv.ValidationError as e:
        return [f"{'.'.join(map(str, e.path)) or '<root>'}: {e.message}"], f"kubernetes {version} (strict)"


def files_of(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                # kustomization.yaml is kustomize's input, not an object for the cluster.
                if name.endswith((".yaml", ".yml")) and name not in ("kustomization.yaml", "kustomization.yml"):
                    yield os.path.join(path, name)
        else:
            yield path


def validate_paths(paths, crds):
    failures = checked = 0
    for path in files_of(paths):
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        if not docs:
            print(f"ERROR {path}: no documents")
            failures += 1
        for doc in docs:
            errors, against = check_doc(doc, crds)
            checked += 1
            what = f"{doc.get('kind', '?')}/{(doc.get('metadata') or {}).get('name', '?')}" if isinstance(doc, dict) else "?"
            if errors:
                failures += 1
                for error in errors:
                    print(f"ERROR {path} {what} [{against}]: {error}")
            else:
                print(f"OK    {path} {what} [{against}]")
    print(f"{checked - failures} passed, {failures} failed")
    return failures == 0 and checked > 0


def self_test(crds):
    """Each planted mistake must be reported; a checker that passes everything proves nothing."""
    isvc = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": {"name": "fraud", "namespace": "ml", "labels": {"cairn.dev/model": "Fraud"}},
            "spec": {"predictor": {"minReplicas": 1, "model": {"modelFormat": {"name": "mlflow"}, "storageUri": "s3://m/x"}}}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "fraud"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                           "spec": {"containers": [{"name": "server", "image": "x"}]}}}}
    good = [isvc, deployment]
    bad = []
    for mutate in (
        lambda d: d["spec"]["predictor"]["model"].__setitem__("storageURI", "typo"),          # unknown field
        lambda d: d["spec"]["predictor"].__setitem__("minReplicas", "lots"),                  # wrong type
        lambda d: d["spec"]["predictor"]["model"].__setitem__("modelFormat", {}),             # required name
        lambda d: d["spec"]["predictor"].__setitem__("scaleMetric", "gpu"),                   # enum
        lambda d: d["spec"]["predictor"].__setitem__("sklearn", {"storageUri": "s3://x"}),    # legacy key
        lambda d: d["metadata"]["labels"].__setitem__("cairn.dev/model", "Fraud Detector"),   # label value
        lambda d: d["metadata"].__setitem__("name", "Fraud"),                                 # DNS-1035
    ):
        doc = copy.deepcopy(isvc)
        mutate(doc)
        bad.append(doc)
    for mutate in (
        lambda d: d["spec"].__setitem__("replicas", "two"),                                   # wrong type
        lambda d: d["spec"]["template"]["spec"]["containers"][0].__setitem__("imagePullPolicyy", "x"),  # unknown field
    ):
        doc = copy.deepcopy(deployment)
        mutate(doc)
        bad.append(doc)
    # deploy/: the Prometheus operator's kinds (minimal CRD fixtures) and the autoscaling/v2 and
    # policy/v1 kinds the test API server (1.20) cannot check.
    monitor = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "cairn"},
               "spec": {"selector": {"matchLabels": {"app": "cairn"}}, "endpoints": [{"port": "metrics", "interval": "30s"}]}}
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "cairn"},
            "spec": {"groups": [{"name": "cairn", "rules": [{"alert": "Down", "expr": "up == 0", "for": "5m",
                                                              "labels": {"severity": "warning"}}]}]}}
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "cairn"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "cairn"}, "maxReplicas": 3,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "cairn"},
           "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "cairn"}}}}
    netpol = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny"},
              "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    good += [monitor, rule, hpa, pdb, netpol]
    for base, mutate in (
        (monitor, lambda d: d["spec"]["endpoints"][0].__setitem__("intervall", "30s")),       # unknown field
        (monitor, lambda d: d["spec"]["endpoints"][0].__setitem__("interval", "30 seconds")),  # duration pattern
        (monitor, lambda d: d["spec"].pop("selector")),                                      # required
        (rule, lambda d: d["spec"]["groups"][0]["rules"][0].__setitem__("for", "5 min")),    # duration pattern
        (rule, lambda d: d["spec"]["groups"][0]["rules"][0].__setitem__("labels", {"severity": 3})),  # label type
        (rule, lambda d: d["spec"]["groups"][0]["rules"][0].pop("expr")),                    # required
        (hpa, lambda d: d["spec"]["metrics"][0]["resource"]["target"].__setitem__("averageUtilisation", 70)),  # unknown field
        (pdb, lambda d: d["spec"].__setitem__("maxUnavailible", 1)),                         # unknown field
        (netpol, lambda d: d["spec"].__setitem__("policyType", ["Ingress"])),                 # unknown field
    ):
        doc = copy.deepcopy(base)
        mutate(doc)
        bad.append(doc)
    ok = True
    for doc in good:
        errors, against = check_doc(doc, crds)
        if errors:
            ok = False
            print(f"SELF-TEST FAIL: a valid {doc['kind']} was refused [{against}]: {errors}")
    for index, doc in enumerate(bad):
        errors, against = check_doc(doc, crds)
        if not errors:
            ok = False
            print(f"SELF-TEST FAIL: planted error #{index + 1} in {doc['kind']} was not caught [{against}]")
    print(f"self-test: {len(good)} valid documents accepted, {len(bad)} planted errors caught" if ok else "self-test: FAILED")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crd", action="append", help="CRD YAML with custom resources' schemas (repeatable; "
                        "default: the KServe and Prometheus-operator fixtures in Tests/fixtures)")
    parser.add_argument("--self-test", action="store_true", help="check that planted errors are caught")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    crd_files = args.crd or DEFAULT_CRDS
    crds = load_crds(crd_files)
    if not crds:
        print(f"ERROR {', '.join(crd_files)}: no CustomResourceDefinition found")
        return 2
    if args.self_test:
        return 0 if self_test(crds) else 1
    if not args.paths:
        parser.error("give files or directories to check")
    return 0 if validate_paths(args.paths, crds) else 1


if __name__ == "__main__":
    sys.exit(main())
