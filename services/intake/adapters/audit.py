"""The append-only audit log of PHI reads: this store can add and search rows, never change them.

The database enforces the same (a trigger refuses UPDATE, DELETE and TRUNCATE; migration 0002).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import audit_log
from services.intake.domain.access import AuditEntry


class AuditLog:
    """Appends audit entries in the caller's transaction, and finds them for an administrator."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if entries:
            await self.session.execute(insert(audit_log), [dataclasses.asdict(entry) for entry in entries])

    async def search(self, *, tenant_id: str | None, claim_id: str | None, since: dt.datetime | None,
                     after_id: int | None, limit: int) -> list[dict[str, Any]]:
        """Entries matching every given filter, oldest first."""
        query = select(*audit_log.c)
        if tenant_id is not None:
            query = query.where(audit_log.c.tenant_id == tenant_id)
        if claim_id is not None:
            query = query.where(audit_log.c.claim_id == claim_id)
        if since is not None:
            query = query.where(audit_log.c.occurred_at >= since)
        if after_id is not None:
            query = query.where(audit_log.c.audit_id > after_id)
        rows = (await self.session.execute(query.order_by(audit_log.c.audit_id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]
