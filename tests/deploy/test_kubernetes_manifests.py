"""The Kubernetes manifests validate against the Kubernetes 1.33 schemas and keep the production rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from shared.messaging.topics import stack_topics

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33"
SERVICES = ("intake", "coding", "submission", "remittance", "denials")


def documents() -> list[tuple[str, dict]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [(name, doc) for name in kustomization["resources"]
            for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize(("name", "doc"), documents(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_manifest_is_valid_kubernetes(name: str, doc: dict) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_refuses_a_broken_manifest() -> None:
    broken = dict(of_kind("Deployment")["intake"])
    broken["spec"] = {**broken["spec"], "replicas": "three"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_process_has_probes_limits_and_runs_as_non_root() -> None:
    deployments = of_kind("Deployment")
    assert set(deployments) == {*SERVICES, "console"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] in {"/readyz", "/healthz"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        module = container["command"][-1]
        assert importlib.util.find_spec(module) is not None, f"{name} runs {module}, which does not exist"
        if name in SERVICES:
            assert deployment["spec"]["replicas"] >= 2, f"{name} needs a second replica for availability"


def test_topics_are_replicated_for_production_and_autoscaling_stays_within_partitions() -> None:
    config = of_kind("ConfigMap")["claimline-config"]["data"]
    replication, partitions = int(config["KAFKA_REPLICATION_FACTOR"]), int(config["KAFKA_PARTITIONS"])
    assert replication == 3
    for spec in stack_topics(partitions, replication):
        assert spec.config["min.insync.replicas"] == "2", spec.name
    for name, autoscaler in of_kind("HorizontalPodAutoscaler").items():
        assert autoscaler["spec"]["maxReplicas"] <= partitions, f"{name} would scale past its partitions"
    job = of_kind("Job")["claimline-bootstrap"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["python", "-m", "tools.bootstrap"]
