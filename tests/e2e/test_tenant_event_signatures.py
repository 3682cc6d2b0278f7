"""Forged tenants-topic records are refused by every running service: the record is dead-lettered with its
reason by each service's tenant-keys consumer and never projected, and a forged token signing key never
reaches a key ring. Records go straight onto the stack's real tenants topic, as a leaked broker
credential would put them there; intake's own, signed, records keep working beside them."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import jwt
import pytest

from shared.access_tokens import SigningKey, TokenSigningKeyPublished
from shared.events.envelope import EventEnvelope
from shared.messaging.topics import TENANTS_TOPIC, dead_letter_topic
from shared.tenancy import ApiKeyIssued, hash_key, new_api_key
from shared.tenant_event_signing import TenantEventSigner, new_signing_key, sign_tenant_event
from tests.e2e.admin_api import read_urls
from tests.e2e.polling import eventually
from tests.support.kafka import header, produce, read_topic

pytestmark = pytest.mark.e2e
SERVICES = ("intake", "coding", "submission", "remittance", "denials")


def key_issued(tenant_id: str) -> tuple[str, EventEnvelope]:
    """A fresh API key and the tenants-topic event that would make it valid everywhere."""
    key_id, key = new_api_key()
    event = ApiKeyIssued(key_id=key_id, key_hash=hash_key(key), tenant_id=tenant_id)
    return key, EventEnvelope(type=event.event_type, source="intake", subject=key_id, tenant_id=tenant_id,
                              schema_version=event.version, data=event.model_dump(mode="json"))


async def publish(stack: dict[str, str], *envelopes: EventEnvelope) -> None:
    await produce(stack["KAFKA_BOOTSTRAP"], TENANTS_TOPIC,
                  [(e.kafka_key(), e.kafka_headers(), e.kafka_value()) for e in envelopes])


async def test_a_forged_api_key_is_dead_lettered_by_every_service_and_never_authenticates(
        stack: dict[str, str]) -> None:
    tenant = f"forgery-{uuid.uuid4().hex[:8]}"
    unsigned_key, unsigned = key_issued(tenant)
    forged_key, forged = key_issued(tenant)
    forger_seed, _ = new_signing_key()  # a key pair nobody trusts
    forged = TenantEventSigner.from_seed(forger_seed).sign(forged)
    genuine_key, genuine = key_issued(tenant)
    await publish(stack, unsigned, forged, sign_tenant_event(genuine))  # the stack's key, from stack.env

    async with httpx.AsyncClient(timeout=10) as client:
        for url in read_urls(stack):  # the genuine key is projected everywhere: the forged ones had their turn
            await eventually(lambda url=url: client.get(url, headers={"Authorization": f"Bearer {genuine_key}"}),
                             lambda r: r.status_code in (200, 404), f"{url} to accept the signed key", 30)
            for key in (unsigned_key, forged_key):
                response = await client.get(url, headers={"Authorization": f"Bearer {key}"})
                assert response.status_code == 401, f"{url} accepted a forged API key"

    wanted = {unsigned.id: "not signed", forged.id: "not trusted"}
    letters = await eventually(
        lambda: read_topic(stack["KAFKA_BOOTSTRAP"], dead_letter_topic(TENANTS_TOPIC), 1, timeout=2),
        lambda records: {(header(r, "ce_id"), header(r, "dlq_consumer")) for r in records}
        >= {(event_id, f"{s}.tenant-keys") for event_id in wanted for s in SERVICES},
        "every service's tenant-keys consumer to dead-letter both forged records", 60, interval=1)
    for record in letters:
        event_id = header(record, "ce_id")
        if event_id in wanted:
            reason = header(record, "dlq_reason") or ""
            assert reason.startswith("TenantEventSignatureError") and wanted[event_id] in reason, reason
    assert genuine.id not in {header(r, "ce_id") for r in letters}


async def test_a_forged_token_signing_key_never_lets_its_tokens_in(stack: dict[str, str]) -> None:
    attacker = SigningKey.from_setting("")  # a fresh key: the forger's, announced as if intake's
    announcement: TokenSigningKeyPublished = attacker.announcement()
    forged = EventEnvelope(type=announcement.event_type, source="intake", subject=f"signing-key:{attacker.kid}",
                           tenant_id="*", schema_version=announcement.version,
                           data=announcement.model_dump(mode="json"))
    await publish(stack, forged)
    token, _ = attacker.sign("dev-practice", f"forged-{uuid.uuid4().hex[:6]}", frozenset({"claims:read"}), 600)
    assert jwt.get_unverified_header(token)["kid"] == attacker.kid
    # Wait until a record published after the forged one has been applied everywhere, then try the token.
    marker_key, marker = key_issued("dev-practice")
    await publish(stack, sign_tenant_event(marker))
    async with httpx.AsyncClient(timeout=10) as client:
        for url in read_urls(stack):
            await eventually(lambda url=url: client.get(url, headers={"Authorization": f"Bearer {marker_key}"}),
                             lambda r: r.status_code in (200, 404), f"{url} to read past the forged key", 30)
        # Each key ring follows the topic on its own: watch every service for a few seconds more.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for url in read_urls(stack):
                response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 401, f"{url} accepted a token signed by a forged key"
            await asyncio.sleep(0.5)
