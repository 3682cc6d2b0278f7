"""Administering tenants and their API keys (used by make up and the admin command)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import api_keys, messaging, tenants
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.envelope import EventEnvelope
from shared.events.registry import ClaimEvent
from shared.messaging.outbox import enqueue
from shared.messaging.topics import TENANTS_TOPIC
from shared.tenancy import ApiKeyIssued, ApiKeyRetired, ApiKeyRevoked, hash_key, stops_by
from shared.tenant_event_signing import sign_tenant_event


async def issue_key(session: AsyncSession, tenant_id: str, key_id: str, key: str) -> bool:
    """Store the key's hash and announce it to every service; False when the key id exists."""
    await session.execute(insert(tenants).values(tenant_id=tenant_id, name=tenant_id).on_conflict_do_nothing())
    added = (await session.execute(insert(api_keys).values(key_id=key_id, key_hash=hash_key(key), tenant_id=tenant_id)
                                   .on_conflict_do_nothing().returning(api_keys.c.key_id))).first()
    if added is None:
        return False
    event = ApiKeyIssued(key_id=key_id, key_hash=hash_key(key), tenant_id=tenant_id)
    await announce(session, event, key_id, tenant_id)
    return True


async def revoke_key(session: AsyncSession, key_id: str) -> bool:
    """Revoke the key here and announce it to every service; False when no such key."""
    tenant_id = (await session.execute(select(api_keys.c.tenant_id).where(api_keys.c.key_id == key_id))).scalar()
    if tenant_id is None:
        return False
    await session.execute(api_keys.update().where(api_keys.c.key_id == key_id).values(
        revoked_at=stops_by(api_keys, func.now())))  # an earlier stop stands; a later retirement comes forward
    await announce(session, ApiKeyRevoked(key_id=key_id, tenant_id=tenant_id), key_id, tenant_id)
    return True


async def retire_key(session: AsyncSession, key_id: str, not_after: dt.datetime) -> dt.datetime | None:
    """Schedule the key's end at not_after (an earlier end stands) and announce it; the end in force, or
    None when no key has this id or it has stopped already (a stopped key is never revived)."""
    row = (await session.execute(
        api_keys.update().where(api_keys.c.key_id == key_id,
                                or_(api_keys.c.revoked_at.is_(None), api_keys.c.revoked_at > func.now()))
        .values(revoked_at=stops_by(api_keys, not_after))
        .returning(api_keys.c.tenant_id, api_keys.c.key_hash, api_keys.c.revoked_at))).first()
    if row is None:
        return None
    await announce(session, ApiKeyRetired(key_id=key_id, key_hash=row.key_hash, tenant_id=row.tenant_id,
                                          not_after=row.revoked_at), key_id, row.tenant_id)
    return row.revoked_at


async def key_exists(session: AsyncSession, key_id: str) -> bool:
    return (await session.execute(select(api_keys.c.key_id).where(api_keys.c.key_id == key_id))).first() is not None


async def announce(session: AsyncSession, event: ClaimEvent, subject: str, tenant_id: str) -> None:
    """Queue a tenants-topic event (keyed by subject, so compaction keeps the latest per key or client)."""
    envelope = sign_tenant_event(EventEnvelope(type=event.event_type, source="intake", subject=subject,
                                               tenant_id=tenant_id, schema_version=event.version,
                                               data=event.model_dump(mode="json")))
    await enqueue(session, messaging, [(TENANTS_TOPIC, envelope.kafka_key(), envelope.kafka_headers(),
                                        envelope.kafka_value(), envelope.id)])


async def ensure_tenant_key(database_url: str, tenant_id: str, key_id: str, key: str) -> None:
    """Idempotently give tenant_id the key (the development tenant of make up)."""
    engine = create_engine(database_url, instrument=False)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            await issue_key(session, tenant_id, key_id, key)
    finally:
        await engine.dispose()
