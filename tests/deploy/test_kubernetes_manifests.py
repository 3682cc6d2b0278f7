"""The Kubernetes manifests validate against the Kubernetes 1.33 schemas and keep the production rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from shared.messaging.broker_acls import claimline_acls
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


def workloads() -> dict[str, dict]:
    """Every pod template: the Deployments and the bootstrap Job."""
    return {name: doc["spec"]["template"]["spec"] for kind in ("Deployment", "Job")
            for name, doc in of_kind(kind).items()}


def test_every_pod_drops_capabilities_runs_under_seccomp_and_cannot_escalate() -> None:
    for name, pod in workloads().items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True, name


def test_each_process_reads_only_its_own_secret_and_logs_in_to_kafka_as_itself() -> None:
    config = of_kind("ConfigMap")["claimline-config"]["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    principals_with_acls = {binding.principal for binding in claimline_acls()}
    for name, pod in workloads().items():
        (container,) = pod["containers"]
        secrets = [source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source]
        assert secrets == [f"claimline-{'bootstrap' if name == 'claimline-bootstrap' else name}"], name
        user = {variable["name"]: variable.get("value") for variable in container["env"]}["KAFKA_SASL_USERNAME"]
        assert f"User:{user}" in principals_with_acls, f"{name} logs in as {user}, who has no ACLs"
        assert any(mount["mountPath"] == "/etc/claimline/kafka-ca" for mount in container["volumeMounts"]), name


def selected(policy: dict, labels: dict[str, str]) -> bool:
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return all(labels.get(key) == value for key, value in wanted.items())


def test_network_policies_deny_by_default_and_open_only_what_each_process_needs() -> None:
    policies = of_kind("NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    leaves_the_cluster = set()
    for name in workloads():
        labels = (of_kind("Deployment").get(name) or of_kind("Job")[name])["spec"]["template"]["metadata"]["labels"]
        own = [p for p in policies.values() if p["spec"]["podSelector"] and selected(p, labels)]
        assert own, f"{name} has no policy of its own: it could reach nothing"
        for policy in own:
            for rule in policy["spec"].get("egress", []):
                if any("ipBlock" in peer for peer in rule["to"]):
                    leaves_the_cluster.add(labels["app.kubernetes.io/name"])
            for rule in policy["spec"].get("ingress", []):
                assert rule["ports"] and all(port["port"] == 8000 for port in rule["ports"]), name
    # Webhooks to practices (intake) and 837s to the clearinghouse (submission) are the only ways out.
    assert leaves_the_cluster == {"intake", "submission"}
