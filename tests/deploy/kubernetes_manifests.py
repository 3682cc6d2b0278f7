"""deploy/k8s as kustomize lists it, and Kubernetes' label-selector rules, for the manifest tests."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
SERVICES = ("intake", "coding", "submission", "remittance", "denials")
# Each service runs as two Deployments: <service> (its HTTP API) and <service>-worker (consumers, relay, loops).
WORKERS = {f"{service}-worker": service for service in SERVICES}
NAME, COMPONENT = "app.kubernetes.io/name", "app.kubernetes.io/component"


def documents() -> list[tuple[str, dict]]:
    """(file, document) for every document of every file the kustomization lists (a copy each call)."""
    return copy.deepcopy(_parsed())


@cache
def _parsed() -> list[tuple[str, dict]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [(name, doc) for name in kustomization["resources"]
            for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def workloads() -> dict[str, dict]:
    """Every pod template (the Deployments and the bootstrap Job) by its owner's name."""
    return {name: doc["spec"]["template"] for kind in ("Deployment", "Job") for name, doc in of_kind(kind).items()}


def pod_labels() -> dict[str, dict[str, str]]:
    """The labels of every workload's pods."""
    return {name: template["metadata"]["labels"] for name, template in workloads().items()}


def selects(selector: Mapping, labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions, all must hold; empty selects everything)."""
    if not all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        holds = {"In": key in labels and labels[key] in values, "NotIn": labels.get(key) not in values,
                 "Exists": key in labels, "DoesNotExist": key not in labels}[operator]
        if not holds:
            return False
    return True


def service_selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """A Service's selector is a plain map; an empty one selects no pod (its endpoints are managed by hand)."""
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())
