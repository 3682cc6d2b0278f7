"""The append-only log of PHI disclosures, one table per service schema: who read which claim's data.

A route that returns PHI (an encounter, an 837, a CMS-1500, a 277, a clinical note, a statement,
an appeal letter) appends its entries in the same transaction as its read: no audit row, no data.
Each service keeps its own `audit_log` (created by shared/phi_audit_migration.py, where triggers
refuse UPDATE, DELETE and TRUNCATE); the operator reads it at `GET /v1/admin/audit` on that service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.telemetry import current_trace_id
from shared.tenancy import Principal


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One disclosure of PHI-bearing data: who, what, from where (when is the row's time)."""

    tenant_id: str
    principal_kind: str
    principal_id: str
    method: str
    endpoint: str
    claim_id: str | None
    client_ip: str | None
    user_agent: str | None
    trace_id: str | None
    resource_id: str | None = None  # what the route names besides a claim: a statement, a review, an appeal


def audit_log_table(metadata: MetaData) -> Table:
    """The audit table on a service's metadata (its schema comes from the metadata)."""
    return Table(
        "audit_log", metadata,
        Column("audit_id", BigInteger, Identity(), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("tenant_id", String(64), nullable=False),
        Column("principal_kind", String(20), nullable=False),
        Column("principal_id", String(64), nullable=False),
        Column("method", String(10), nullable=False),
        Column("endpoint", String(200), nullable=False),
        Column("claim_id", String(64)),
        Column("resource_id", String(64)),
        Column("client_ip", String(64)),
        Column("user_agent", String(500)),
        Column("trace_id", String(32)),
        Index("audit_log_tenant_time_idx", "tenant_id", "occurred_at"),
        Index("audit_log_claim_idx", "claim_id", "occurred_at"),
    )


def disclosures(request: Request, caller: Principal, claim_ids: Sequence[str | None],
                resource_id: str | None = None) -> list[AuditEntry]:
    """One entry per claim whose PHI-bearing data this request discloses (None: no single claim)."""
    route = request.scope.get("route")
    endpoint = getattr(route, "path", request.url.path)
    client_ip = request.client.host if request.client else None
    user_agent = request.headers.get("user-agent", "")[:500] or None
    return [AuditEntry(tenant_id=caller.tenant_id, principal_kind=caller.kind, principal_id=caller.credential_id,
                       method=request.method, endpoint=endpoint, claim_id=claim_id, client_ip=client_ip,
                       user_agent=user_agent, trace_id=current_trace_id(), resource_id=resource_id)
            for claim_id in claim_ids]


async def record_disclosure(session: AsyncSession, table: Table, request: Request, caller: Principal,
                            claim_ids: Sequence[str | None], resource_id: str | None = None) -> None:
    """Append the request's disclosures in the reading transaction."""
    entries = disclosures(request, caller, claim_ids, resource_id)
    if entries:
        await session.execute(insert(table), [dataclasses.asdict(entry) for entry in entries])


async def search_audit_log(session: AsyncSession, table: Table, *, tenant_id: str | None, claim_id: str | None,
                           since: dt.datetime | None, after_id: int | None, limit: int) -> list[dict[str, Any]]:
    """Entries matching every given filter, oldest first."""
    query = select(*table.c)
    if tenant_id is not None:
        query = query.where(table.c.tenant_id == tenant_id)
    if claim_id is not None:
        query = query.where(table.c.claim_id == claim_id)
    if since is not None:
        query = query.where(table.c.occurred_at >= since)
    if after_id is not None:
        query = query.where(table.c.audit_id > after_id)
    rows = (await session.execute(query.order_by(table.c.audit_id).limit(limit))).all()
    return [dict(r._mapping) for r in rows]
