"""The secure broker configuration works as deploy/README.md says: SCRAM-SHA-512 over TLS, default deny,
and the ACLs of shared/messaging/broker_acls.py, on a second broker started from the local stack's jars.

One broker start per test session (about 20 s); skipped only when Java is missing.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from shared.events.envelope import EventEnvelope
from shared.messaging.broker_acls import claimline_acls, principal
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.relay import build_producer
from shared.messaging.topics import SERVICES, TENANTS_TOPIC, ensure_topics, events_topic, stack_topics
from tests.support.secure_kafka import ADMIN, SecureBroker, start_secure_broker, stop_secure_broker
from tools.kafka_acls import apply_acls

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("java") is None, reason="Java is missing: the broker cannot start")]
USERS = [principal(role).removeprefix("User:") for role in (*SERVICES, "bootstrap", "operator")]


@pytest.fixture(scope="module")
def secure_broker() -> Iterator[SecureBroker]:
    run_dir = Path(tempfile.mkdtemp(prefix="claimline-secure-kafka-"))
    broker = start_secure_broker(run_dir, USERS)
    try:
        yield broker
    finally:
        stop_secure_broker(broker)
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
async def prepared(secure_broker: SecureBroker) -> SecureBroker:
    """ACLs applied by the super user, then the topics created by the bootstrap job's own principal."""
    await apply_acls(secure_broker.bootstrap, claimline_acls(), kafka_client_options(secure_broker.settings(ADMIN)))
    with pytest.MonkeyPatch.context() as environment:
        for name, value in secure_broker.environment("claimline-bootstrap").items():
            environment.setenv(name, value)
        await ensure_topics(secure_broker.bootstrap, stack_topics(partitions=1))
    return secure_broker


def as_user(monkeypatch: pytest.MonkeyPatch, broker: SecureBroker, user: str) -> None:
    """This process's Kafka clients log in as user, through the KAFKA_* settings a deployment sets."""
    for name, value in broker.environment(user).items():
        monkeypatch.setenv(name, value)


async def test_a_service_connects_with_scram_over_tls_and_moves_a_message(
        prepared: SecureBroker, monkeypatch: pytest.MonkeyPatch) -> None:
    envelope = EventEnvelope(type="claim.coded", source="coding", subject=str(uuid.uuid4()), tenant_id="t-secure",
                             schema_version=1, data={"marker": "secure"})
    as_user(monkeypatch, prepared, "claimline-coding")
    producer = build_producer(prepared.bootstrap)  # coding's relay producer, as the service builds it
    await producer.start()
    try:
        await producer.send_and_wait(events_topic("coding"), envelope.kafka_value(), key=envelope.kafka_key(),
                                     headers=envelope.kafka_headers())
    finally:
        await producer.stop()

    as_user(monkeypatch, prepared, "claimline-submission")  # submission consumes coding's topic
    consumer = AIOKafkaConsumer(events_topic("coding"), bootstrap_servers=prepared.bootstrap,
                                group_id="submission.secure-broker-test", auto_offset_reset="earliest",
                                enable_auto_commit=False, **kafka_client_options())
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15000)
    finally:
        await consumer.stop()
    received = [EventEnvelope.from_kafka(r.headers, r.value) for records in batch.values() for r in records]
    assert [e.id for e in received] == [envelope.id]


@pytest.mark.parametrize("how", ["plaintext", "wrong password"])
async def test_a_client_without_tls_or_the_right_password_is_refused(prepared: SecureBroker, how: str) -> None:
    options = ({"security_protocol": "PLAINTEXT"} if how == "plaintext"
               else kafka_client_options(prepared.settings("claimline-coding", password="not-the-password")))
    producer = AIOKafkaProducer(bootstrap_servers=prepared.bootstrap, **options)
    try:
        with pytest.raises(KafkaConnectionError):
            await producer.start()
    finally:
        await producer.stop()


@pytest.mark.parametrize(("user", "allowed"), [("claimline-intake", True), ("claimline-coding", False),
                                               ("claimline-operator", False)])
async def test_only_intake_may_write_the_tenants_topic(prepared: SecureBroker, user: str, allowed: bool) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=prepared.bootstrap, enable_idempotence=True, acks="all",
                                **kafka_client_options(prepared.settings(user)))
    await producer.start()
    try:
        if allowed:
            await producer.send_and_wait(TENANTS_TOPIC, b"{}", key=b"probe")
        else:
            with pytest.raises(TopicAuthorizationFailedError):
                await producer.send_and_wait(TENANTS_TOPIC, b"{}", key=b"forged")
    finally:
        await producer.stop()


async def test_a_service_may_not_read_a_topic_it_does_not_consume(prepared: SecureBroker) -> None:
    """Coding reads intake's and denials' events, not remittance's (which carry payment amounts)."""
    consumer = AIOKafkaConsumer(events_topic("remittance"), bootstrap_servers=prepared.bootstrap,
                                group_id="coding.secure-broker-test", auto_offset_reset="earliest",
                                enable_auto_commit=False, **kafka_client_options(prepared.settings("claimline-coding")))
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()  # a subscription's metadata request is refused at once
    finally:
        await consumer.stop()
