"""What the broker must enforce: one SCRAM principal per service and the ACLs that bind it to its topics.

The tenants topic carries API keys and token signing keys to every service, so only intake's principal
may write it. Every service may read the topics it consumes (with its own consumer groups), write its
own events topic and the dead-letter twins of what it consumes. The bootstrap job may create topics;
the operator (dead-letter replay, projection rebuilds, the console) may read dead letters and re-drive
them to claim topics, never to the tenants topic. Nobody else may do anything: the broker runs with
`allow.everyone.if.no.acl.found=false`.

`tools/kafka_acls.py` applies this table to a cluster or prints it as kafka-acls.sh commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from shared.messaging.topics import SERVICES, TENANTS_TOPIC, dead_letter_topic, events_topic, physical_topic

# The topics each service's consumer groups read (services/<service>/app.py: runtime.add_consumer), and
# the tenants topic every service projects. A service that subscribes to a topic not listed here is
# refused by the broker (TopicAuthorizationFailed) the first time it starts: add the topic here too.
CONSUMES: dict[str, tuple[str, ...]] = {
    "intake": (*(events_topic(s) for s in SERVICES), TENANTS_TOPIC),
    "coding": (events_topic("intake"), events_topic("denials"), TENANTS_TOPIC),
    "submission": (events_topic("coding"), events_topic("remittance"), events_topic("submission"),
                   events_topic("denials"), TENANTS_TOPIC),
    "remittance": (events_topic("submission"), events_topic("intake"), TENANTS_TOPIC),
    "denials": (events_topic("remittance"), events_topic("submission"), TENANTS_TOPIC),
}
# Topics a service writes besides its own events topic and its consumed topics' dead-letter twins.
ALSO_WRITES: dict[str, tuple[str, ...]] = {"intake": (TENANTS_TOPIC,)}
BOOTSTRAP = "bootstrap"
OPERATOR = "operator"


class Resource(IntEnum):
    """Kafka protocol ResourceType codes."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4


class Pattern(IntEnum):
    """Kafka protocol PatternType codes."""

    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """Kafka protocol AclOperation codes."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


ALLOW = 3  # AclPermissionType.ALLOW


@dataclass(frozen=True, order=True)
class AclBinding:
    """One allow rule: principal may do operation on the resource."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation

    def kafka_acls_command(self) -> str:
        """The same rule as a kafka-acls.sh invocation (for clusters administered by hand)."""
        kind = {Resource.TOPIC: f"--topic '{self.name}'", Resource.GROUP: f"--group '{self.name}'",
                Resource.CLUSTER: "--cluster"}[self.resource]
        return (f"kafka-acls.sh --bootstrap-server \"$KAFKA_BOOTSTRAP\" --command-config admin.properties --add "
                f"--allow-principal '{self.principal}' --operation {self.operation.name.title()} {kind} "
                f"--resource-pattern-type {self.pattern.name.lower()}")


def principal(role: str, prefix: str = "claimline-") -> str:
    """The broker principal of a service or role: its SCRAM user name, e.g. User:claimline-coding."""
    return f"User:{prefix}{role}"


def _topic(who: str, topic: str, namespace: str, *operations: Operation) -> list[AclBinding]:
    return [AclBinding(who, Resource.TOPIC, physical_topic(topic, namespace), Pattern.LITERAL, operation)
            for operation in operations]


def service_acls(service: str, namespace: str = "", user_prefix: str = "claimline-") -> list[AclBinding]:
    """What one service's principal may do, and nothing more."""
    who = principal(service, user_prefix)
    consumed = CONSUMES[service]
    written = {events_topic(service), *(dead_letter_topic(t) for t in consumed), *ALSO_WRITES.get(service, ())}
    bindings = [binding for topic in consumed for binding in _topic(who, topic, namespace, Operation.READ,
                                                                     Operation.DESCRIBE)]
    bindings += [binding for topic in sorted(written) for binding in _topic(who, topic, namespace, Operation.WRITE,
                                                                            Operation.DESCRIBE)]
    # Its consumer groups are named <service>.<purpose> (intake.timeline, coding.claims, coding.tenant-keys).
    bindings.append(AclBinding(who, Resource.GROUP, physical_topic(f"{service}.", namespace), Pattern.PREFIXED,
                               Operation.READ))
    return bindings


def role_acls(namespace: str = "", user_prefix: str = "claimline-") -> list[AclBinding]:
    """The bootstrap job (creates topics) and the operator (reads dead letters, re-drives them to claim topics)."""
    every_topic = (Resource.TOPIC, namespace, Pattern.PREFIXED) if namespace else (Resource.TOPIC, "*", Pattern.LITERAL)
    bootstrap, operator = principal(BOOTSTRAP, user_prefix), principal(OPERATOR, user_prefix)
    bindings = [AclBinding(bootstrap, Resource.CLUSTER, "kafka-cluster", Pattern.LITERAL, Operation.CREATE),
                AclBinding(bootstrap, *every_topic, Operation.DESCRIBE),
                AclBinding(operator, *every_topic, Operation.DESCRIBE)]
    for service in SERVICES:
        bindings += _topic(operator, dead_letter_topic(events_topic(service)), namespace, Operation.READ)
        bindings += _topic(operator, events_topic(service), namespace, Operation.READ, Operation.WRITE)
    bindings += _topic(operator, dead_letter_topic(TENANTS_TOPIC), namespace, Operation.READ)
    # Projection rebuilds rewind the stopped service's group; the operator's own readers use no group.
    bindings.append(AclBinding(operator, Resource.GROUP, physical_topic("intake.", namespace), Pattern.PREFIXED,
                               Operation.READ))
    return bindings


def claimline_acls(namespace: str = "", user_prefix: str = "claimline-") -> list[AclBinding]:
    """Every allow rule of a claimline deployment on a cluster that denies by default."""
    bindings = [b for service in SERVICES for b in service_acls(service, namespace, user_prefix)]
    return sorted(set(bindings + role_acls(namespace, user_prefix)))
