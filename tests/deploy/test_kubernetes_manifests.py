"""The Kubernetes manifests validate against the Kubernetes 1.33 schemas and keep the production rules.

Each service runs as two Deployments that scale apart: `<service>`, its HTTP API behind its Service
(`python -m services.<service> api`), and `<service>-worker`, its consumers, outbox relay and loops
(`... worker`), which no Service reaches. The network policies are in test_kubernetes_network_policies.py."""

from __future__ import annotations

import importlib.util

import kubernetes_validate
import pytest
import yaml

from shared.messaging.broker_acls import claimline_acls
from shared.messaging.topics import stack_topics
from tests.deploy.kubernetes_manifests import (
    COMPONENT,
    K8S,
    NAME,
    SERVICES,
    WORKERS,
    documents,
    of_kind,
    pod_labels,
    selects,
    service_selects,
    workloads,
)

KUBERNETES_VERSION = "1.33"


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
    assert set(deployments) == {*SERVICES, *WORKERS, "console"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] in {"/readyz", "/healthz"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        module = container["command"][2]
        assert importlib.util.find_spec(module) is not None, f"{name} runs {module}, which does not exist"
        if name in SERVICES or name in WORKERS:
            assert deployment["spec"]["replicas"] >= 2, f"{name} needs a second replica for availability"


def test_each_service_runs_its_api_and_its_workers_as_deployments_of_their_own() -> None:
    deployments, labels = of_kind("Deployment"), pod_labels()
    for service in SERVICES:
        halves = {service: "api", f"{service}-worker": "worker"}
        for name, role in halves.items():
            (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
            assert container["command"] == ["python", "-m", f"services.{service}", role], name
            assert labels[name][NAME] == service and labels[name][COMPONENT] == role, name
            # Selectors tell the halves apart: neither Deployment adopts the other's pods.
            for other in halves:
                assert selects(deployments[name]["spec"]["selector"], labels[other]) == (other == name), name


def test_a_service_reaches_only_api_pods_and_no_worker_has_one() -> None:
    services, labels = of_kind("Service"), pod_labels()
    for service in SERVICES:
        reached = {name for name in labels if service_selects(services[service]["spec"]["selector"], labels[name])}
        assert reached == {service}, f"Service {service} reaches {sorted(reached)}"
    for name, service in services.items():
        assert not [worker for worker in WORKERS if service_selects(service["spec"]["selector"], labels[worker])], name


def test_every_process_is_probed_and_scraped_on_its_own_port() -> None:
    deployments = of_kind("Deployment")
    for name in (*SERVICES, *WORKERS, "console"):
        template = deployments[name]["spec"]["template"]
        (container,) = template["spec"]["containers"]
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            port = container[probe]["httpGet"]["port"]
            assert ports.get(port, port) == 8000, f"{name} {probe}"
        if name in WORKERS:  # ready once its consumers have partitions and its loops run
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/port"] == "8000", name
        assert annotations["prometheus.io/path"] == "/metrics", name


def test_topics_are_replicated_for_production_and_autoscaling_stays_within_partitions() -> None:
    """Workers are the consumers: a group's partitions are shared by its members, so a worker beyond the
    partition count would sit idle. An API process consumes nothing that bounds it (its tenants-topic
    follower reads without a group), so it scales on request CPU alone."""
    config = of_kind("ConfigMap")["claimline-config"]["data"]
    replication, partitions = int(config["KAFKA_REPLICATION_FACTOR"]), int(config["KAFKA_PARTITIONS"])
    assert replication == 3
    for spec in stack_topics(partitions, replication):
        assert spec.config["min.insync.replicas"] == "2", spec.name
    deployments = of_kind("Deployment")
    for worker in WORKERS:
        assert deployments[worker]["spec"]["replicas"] <= partitions, f"{worker} would start past its partitions"
    for name, autoscaler in of_kind("HorizontalPodAutoscaler").items():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, name
        if target["name"] in WORKERS:
            assert autoscaler["spec"]["maxReplicas"] <= partitions, f"{name} would scale past its partitions"
        assert autoscaler["spec"]["minReplicas"] == deployments[target["name"]]["spec"]["replicas"], name
    job = of_kind("Job")["claimline-bootstrap"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["python", "-m", "tools.bootstrap"]


def test_apis_scale_on_request_cpu_and_the_busiest_workers_up_to_their_partitions() -> None:
    targets = {autoscaler["spec"]["scaleTargetRef"]["name"]: autoscaler["spec"]["metrics"]
               for autoscaler in of_kind("HorizontalPodAutoscaler").values()}
    assert {"intake", "coding", "submission", "intake-worker", "coding-worker", "submission-worker"} <= set(targets)
    for name, metrics in targets.items():
        assert [metric["resource"]["name"] for metric in metrics if metric["type"] == "Resource"] == ["cpu"], name


def test_disruption_budgets_keep_each_half_of_each_service_available() -> None:
    budgets, labels = of_kind("PodDisruptionBudget"), pod_labels()
    for name in (*SERVICES, *WORKERS):
        budget = budgets[name]
        assert budget["spec"]["minAvailable"] == 1, name
        assert {pod for pod in labels if selects(budget["spec"]["selector"], labels[pod])} == {name}, name


def test_every_pod_drops_capabilities_runs_under_seccomp_and_cannot_escalate() -> None:
    for name, template in workloads().items():
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True, name


def test_each_process_reads_only_its_own_secret_and_logs_in_to_kafka_as_itself() -> None:
    """A Secret per process (claimline-<process>: an API's holds what its routes use, a worker's what its
    loops use). The broker's ACLs are per service, so both halves of a service log in as its SCRAM user."""
    config = of_kind("ConfigMap")["claimline-config"]["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    principals_with_acls = {binding.principal for binding in claimline_acls()}
    for name, template in workloads().items():
        (container,) = template["spec"]["containers"]
        secrets = [source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source]
        assert secrets == [f"claimline-{'bootstrap' if name == 'claimline-bootstrap' else name}"], name
        user = {variable["name"]: variable.get("value") for variable in container["env"]}["KAFKA_SASL_USERNAME"]
        assert f"User:{user}" in principals_with_acls, f"{name} logs in as {user}, who has no ACLs"
        if name in SERVICES or name in WORKERS:
            assert user == f"claimline-{WORKERS.get(name, name)}", name
        assert any(mount["mountPath"] == "/etc/claimline/kafka-ca" for mount in container["volumeMounts"]), name


def test_callers_reach_the_api_through_its_service() -> None:
    """The console and denials call services by their Service's name; those Services reach API pods only."""
    deployments, services = of_kind("Deployment"), of_kind("Service")

    def environment(name: str) -> dict[str, str]:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        return {variable["name"]: variable.get("value", "") for variable in container["env"]}

    console = environment("console")
    for service in SERVICES:
        assert console[f"{service.upper()}_URL"] == f"http://{service}:8000" and service in services
    # Denials drafts an appeal with the claim's codes, asked of coding's API with the caller's credential.
    assert environment("denials")["CODING_URL"] == "http://coding:8000"
    assert "CODING_URL" not in environment("denials-worker")
