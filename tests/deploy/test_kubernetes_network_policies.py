"""deploy/k8s/network-policies.yaml, read as a cluster enforces it: every claimline pod is isolated both
ways, policies add up, and a connection between two pods needs the sender's egress and the receiver's
ingress. The tests ask who can reach whom, so they hold however the policies are grouped.

API pods take requests from the ingress controller, the console and Prometheus; worker pods only from
Prometheus (kubelet probes come from the pod's node, which a policy never blocks). Both halves reach DNS,
PostgreSQL, Kafka and the collector; only the processes that call out leave the cluster."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.deploy.kubernetes_manifests import SERVICES, WORKERS, of_kind, pod_labels, selects

NAMESPACE = "claimline"


@dataclass
class Endpoint:
    """One end of a connection: a pod (its namespace and labels) or an address outside the cluster."""

    namespace: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    address: str = ""


EDGE = Endpoint("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Endpoint("observability", {"app.kubernetes.io/name": "prometheus"})
COLLECTOR = Endpoint("observability", {"app.kubernetes.io/name": "opentelemetry-collector"})
KAFKA = Endpoint("kafka", {"strimzi.io/kind": "Kafka"})
POSTGRES = Endpoint("database", {"cnpg.io/cluster": "claimline"})
DNS = Endpoint("kube-system", {"k8s-app": "kube-dns"})
INTERNET = Endpoint(address="203.0.113.10")  # a public address: a practice's webhook receiver, a clearinghouse
PRIVATE = Endpoint(address="10.20.30.40")  # inside the cluster's or the VPC's address space
POLICIES = of_kind("NetworkPolicy")
BACKENDS = {"dns": (DNS, 53), "kafka": (KAFKA, 9093), "postgresql": (POSTGRES, 5432), "otlp": (COLLECTOR, 4318)}


def pods() -> dict[str, Endpoint]:
    return {name: Endpoint(NAMESPACE, labels) for name, labels in pod_labels().items()}


def peer_matches(peer: Mapping, endpoint: Endpoint) -> bool:
    if "ipBlock" in peer:
        if not endpoint.address:
            return False
        address, block = ipaddress.ip_address(endpoint.address), peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excluded) for excluded in block.get("except", []))
    if not endpoint.namespace:
        return False
    if "namespaceSelector" in peer:
        in_namespace = selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": endpoint.namespace})
    else:
        in_namespace = endpoint.namespace == NAMESPACE  # a podSelector alone means the policy's own namespace
    return in_namespace and selects(peer.get("podSelector", {}), endpoint.labels)


def rule_allows(rule: Mapping, peers: str, endpoint: Endpoint, port: int, protocol: str) -> bool:
    if rule.get(peers) and not any(peer_matches(peer, endpoint) for peer in rule[peers]):
        return False
    return not rule.get("ports") or any(
        entry.get("protocol", "TCP") == protocol and entry["port"] <= port <= entry.get("endPort", entry["port"])
        for entry in rule["ports"])


def allowed(pod: Endpoint, direction: str, other: Endpoint, port: int, protocol: str) -> bool:
    """Whether the policies selecting `pod` let it open (Egress) or accept (Ingress) this connection."""
    rules, peers = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    return any(rule_allows(rule, peers, other, port, protocol)
               for policy in POLICIES.values()
               if direction in policy["spec"]["policyTypes"] and selects(policy["spec"]["podSelector"], pod.labels)
               for rule in policy["spec"].get(rules, []))


def reaches(source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
    """Both ends must allow it; a pod outside claimline's namespace is not ours to restrict."""
    sends = source.namespace != NAMESPACE or allowed(source, "Egress", destination, port, protocol)
    accepts = destination.namespace != NAMESPACE or allowed(destination, "Ingress", source, port, protocol)
    return sends and accepts


def test_network_policies_deny_by_default_and_every_process_has_policies_of_its_own() -> None:
    policies = POLICIES
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    for name, pod in pods().items():
        own = [p for p in policies.values() if p["spec"]["podSelector"] and selects(p["spec"]["podSelector"],
                                                                                    pod.labels)]
        assert own, f"{name} has no policy of its own: it could reach nothing"
        for policy in own:
            for rule in policy["spec"].get("ingress", []):
                assert rule["ports"] and all(port["port"] == 8000 for port in rule["ports"]), name


def test_both_halves_of_every_service_reach_dns_postgresql_kafka_and_the_collector() -> None:
    every = pods()
    for name in (*SERVICES, *WORKERS):
        for backend, (endpoint, port) in BACKENDS.items():
            assert reaches(every[name], endpoint, port), f"{name} cannot reach {backend}"
        assert reaches(every[name], DNS, 53, "UDP"), name
    assert not reaches(every["console"], POSTGRES, 5432), "the console has no business in the database"
    assert reaches(every["claimline-bootstrap"], POSTGRES, 5432) and reaches(every["claimline-bootstrap"], KAFKA, 9093)


def test_api_pods_take_requests_from_the_edge_the_console_and_prometheus() -> None:
    every = pods()
    for service in SERVICES:
        for caller, endpoint in {"the edge": EDGE, "Prometheus": PROMETHEUS, "the console": every["console"]}.items():
            assert reaches(endpoint, every[service], 8000), f"{caller} cannot reach {service}"


def test_worker_pods_take_connections_from_prometheus_alone() -> None:
    every = pods()
    for worker in WORKERS:
        assert reaches(PROMETHEUS, every[worker], 8000), f"Prometheus cannot scrape {worker}"
        assert not reaches(EDGE, every[worker], 8000), f"the edge reaches {worker}"
        callers = [name for name, pod in every.items() if name != worker and reaches(pod, every[worker], 8000)]
        assert not callers, f"{worker} is reached by {callers}"


def test_only_the_processes_that_call_out_leave_the_cluster() -> None:
    """Intake's worker posts practices' webhooks (its API only stores endpoints); submission's worker sends
    837s over HTTPS or SFTP and its API sends a 276 when a tenant asks for a follow-up sweep (POST
    /v1/follow-up/run). Nothing leaves for a private address."""
    every = pods()
    assert {name for name, pod in every.items() if reaches(pod, INTERNET, 443)} == {
        "intake-worker", "submission", "submission-worker"}
    assert {name for name, pod in every.items() if reaches(pod, INTERNET, 22)} == {"submission-worker"}
    assert not [name for name, pod in every.items() if reaches(pod, PRIVATE, 443)]


def test_processes_call_one_another_only_where_the_code_does() -> None:
    """The console reads every API; denials' API reads a claim's codes from coding's API (an appeal's
    evidence). Nothing else in the namespace talks to anything else: events travel through Kafka."""
    every = pods()
    calls = {(source, destination) for source, pod in every.items() for destination, other in every.items()
             if source != destination and reaches(pod, other, 8000)}
    assert calls == {("console", service) for service in SERVICES} | {("denials", "coding")}
