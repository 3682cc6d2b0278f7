"""API keys and token signing keys over their lives, on all five services: known from memory, revoked or
retired everywhere within the stated bound, and never revived by a database read that lags behind."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from shared.access_tokens import SCOPES, SigningKey
from shared.events.envelope import EventEnvelope
from shared.messaging.topics import TENANTS_TOPIC, physical_topic
from shared.tenant_directory import REVOCATION_BOUND_SECONDS
from shared.tenant_event_signing import sign_tenant_event
from tests.e2e.admin_api import (
    admin_client,
    assert_problem,
    bearer,
    read_urls,
    tenant_with_key,
)
from tests.e2e.polling import eventually
from tests.support.kafka import produce

pytestmark = pytest.mark.e2e
SCHEMAS = ("intake", "coding", "submission", "remittance", "denials")
# How often the probes below ask: the measured time may overshoot the truth by this much.
POLL_SECONDS = 0.05


@pytest.fixture(scope="module")
async def admin(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client(stack) as client:
        yield client


async def working_everywhere(client: httpx.AsyncClient, stack: dict[str, str], headers: dict[str, str]) -> None:
    for url in read_urls(stack):
        answered = await eventually(lambda url=url: client.get(url, headers=headers),
                                    lambda r: r.status_code != 401, f"{url} to accept the credential", 15)
        assert answered.status_code in (200, 404), answered.text


async def seconds_until_refused_everywhere(client: httpx.AsyncClient, stack: dict[str, str],
                                           headers: dict[str, str], since: float, limit: float = 15) -> float:
    """From `since` (monotonic) until the last of the five services answers 401; fails after limit seconds."""
    async def refused(url: str) -> float:
        while True:
            response = await client.get(url, headers=headers)
            if response.status_code == 401:
                assert_problem(response, 401)
                return time.monotonic() - since
            assert response.status_code in (200, 404), response.text
            if time.monotonic() - since > limit:
                raise AssertionError(f"{url} still accepts the credential after {limit} s")
            await asyncio.sleep(POLL_SECONDS)

    return max(await asyncio.gather(*(refused(url) for url in read_urls(stack))))


async def test_an_api_key_is_checked_from_memory_not_the_database(admin, anonymous, stack, database):
    key = await tenant_with_key(admin)
    await working_everywhere(anonymous, stack, key.headers())
    # While every api_keys table is locked, a lookup there would wait; the services answer from memory.
    async with database.acquire() as connection, connection.transaction():
        for schema in SCHEMAS:
            await connection.execute(f"LOCK TABLE {schema}.api_keys IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        answers = await asyncio.gather(*(asyncio.wait_for(anonymous.get(url, headers=key.headers()), 5)
                                         for url in read_urls(stack)))
        assert [r.status_code for r in answers] == [404, 404, 404, 404, 200], [r.text for r in answers]
        assert time.monotonic() - started < 5


async def test_a_revoked_key_stops_on_all_five_services_within_the_bound(admin, anonymous, stack):
    key = await tenant_with_key(admin)
    await working_everywhere(anonymous, stack, key.headers())

    revoked = await admin.delete(f"/v1/admin/api-keys/{key.key_id}")
    assert revoked.status_code == 204, revoked.text
    took = await seconds_until_refused_everywhere(anonymous, stack, key.headers(), time.monotonic())

    assert took <= REVOCATION_BOUND_SECONDS, f"the revocation took {took:.2f} s to reach every service"


async def test_a_stopped_key_stays_stopped_whatever_a_lagging_table_says(admin, anonymous, stack, database):
    key = await tenant_with_key(admin)
    await working_everywhere(anonymous, stack, key.headers())
    assert (await admin.delete(f"/v1/admin/api-keys/{key.key_id}")).status_code == 204
    await seconds_until_refused_everywhere(anonymous, stack, key.headers(), time.monotonic())
    # A projection that lost the revocation (a restore, a lagging consumer) must not revive the key.
    for schema in SCHEMAS[1:]:
        await database.execute(f"UPDATE {schema}.api_keys SET revoked_at = NULL WHERE key_id = $1", key.key_id)
    for url in read_urls(stack)[1:]:
        assert_problem(await anonymous.get(url, headers=key.headers()), 401)


async def test_a_retired_key_works_until_its_not_after_then_stops_everywhere(admin, anonymous, stack):
    old = await tenant_with_key(admin)
    await working_everywhere(anonymous, stack, old.headers())
    not_after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)

    retired = await admin.post(f"/v1/admin/api-keys/{old.key_id}/retire", json={"not_after": not_after.isoformat()})

    assert retired.status_code == 200, retired.text
    assert dt.datetime.fromisoformat(retired.json()["not_after"]) == not_after
    listed = (await admin.get(f"/v1/admin/tenants/{old.tenant_id}/api-keys")).json()["api_keys"]
    assert [(k["revoked_at"], k["retires_at"] is not None) for k in listed] == [(None, True)]
    await working_everywhere(anonymous, stack, old.headers())  # the grace period: still good everywhere
    later = dt.datetime.fromisoformat(retired.json()["not_after"]) + dt.timedelta(seconds=30)
    again = await admin.post(f"/v1/admin/api-keys/{old.key_id}/retire", json={"not_after": later.isoformat()})
    assert dt.datetime.fromisoformat(again.json()["not_after"]) == not_after  # an earlier end stands

    remaining = (not_after - dt.datetime.now(dt.UTC)).total_seconds()
    took = await seconds_until_refused_everywhere(anonymous, stack, old.headers(), time.monotonic() + remaining)
    assert took <= REVOCATION_BOUND_SECONDS, f"the retirement took {took:.2f} s past not_after"
    assert_problem(await admin.post(f"/v1/admin/api-keys/{old.key_id}/retire", json={}), 409)
    assert_problem(await admin.post("/v1/admin/api-keys/no-such-key/retire", json={}), 404)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_retired_signing_key_stops_its_tokens_on_every_service(admin, anonymous, stack):
    # A second signing key, announced the way intake announces its own (a rotated-away intake key).
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    old_key = SigningKey.from_setting(_b64(seed))
    announcement = old_key.announcement()
    # signed as intake signs tenants-topic events (the test process has stack.env's signing key)
    envelope = sign_tenant_event(EventEnvelope(
        type=announcement.event_type, source="intake", subject=f"signing-key:{old_key.kid}", tenant_id="*",
        schema_version=announcement.version, data=announcement.model_dump(mode="json")))
    await produce(stack["KAFKA_BOOTSTRAP"], physical_topic(TENANTS_TOPIC, stack.get("KAFKA_NAMESPACE", "")),
                  [(envelope.kafka_key(), envelope.kafka_headers(), envelope.kafka_value())])
    token, _ = old_key.sign("dev-practice", f"clc_{uuid.uuid4().hex[:16]}", frozenset(SCOPES), 600)
    await working_everywhere(anonymous, stack, bearer(token))
    keys = await eventually(lambda: admin.get("/v1/admin/signing-keys"),
                            lambda r: old_key.kid in {k["kid"] for k in r.json()["signing_keys"]}, "the key listed")
    [signing_here] = [k["kid"] for k in keys.json()["signing_keys"] if k["signs_here"]]
    assert_problem(await admin.post(f"/v1/admin/signing-keys/{signing_here}/retire", json={}), 409)
    assert_problem(await admin.post("/v1/admin/signing-keys/0000000000000000/retire", json={}), 404)

    retired = await admin.post(f"/v1/admin/signing-keys/{old_key.kid}/retire",
                               json={"not_after": dt.datetime.now(dt.UTC).isoformat()})

    assert retired.status_code == 200 and retired.json()["retired"] is True, retired.text
    took = await seconds_until_refused_everywhere(anonymous, stack, bearer(token), time.monotonic())
    assert took <= REVOCATION_BOUND_SECONDS, f"the retirement took {took:.2f} s to reach every service"
    # Announcing the key again (as a restarted intake would) does not bring it back.
    await produce(stack["KAFKA_BOOTSTRAP"], physical_topic(TENANTS_TOPIC, stack.get("KAFKA_NAMESPACE", "")),
                  [(envelope.kafka_key(), envelope.kafka_headers(), envelope.kafka_value())])
    await asyncio.sleep(REVOCATION_BOUND_SECONDS)
    for url in read_urls(stack):
        assert_problem(await anonymous.get(url, headers=bearer(token)), 401)
