"""Submission's SQL for a claim's version history: the billing claim locked for a new version, its submissions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import billing_claims, submissions
from services.submission.domain.claim_correction import SentVersion


class ClaimVersionStore:
    """Reads and locks what the correction and secondary-billing rules decide on; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_billing_claim(self, claim_id: str, tenant_id: str | None = None,
                                 lock: bool = True) -> dict[str, Any] | None:
        """The billing claim, locked: one new version at a time per claim (None when unknown or another tenant's)."""
        query = select(billing_claims).where(billing_claims.c.claim_id == claim_id)
        if tenant_id is not None:
            query = query.where(billing_claims.c.tenant_id == tenant_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return dict(row._mapping) if row else None

    async def versions(self, claim_id: str) -> list[dict[str, Any]]:
        """Every submission of the claim, oldest version first."""
        rows = (await self.session.execute(select(submissions).where(submissions.c.claim_id == claim_id)
                                           .order_by(submissions.c.claim_version))).all()
        return [dict(r._mapping) for r in rows]


def sent_versions(rows: list[dict[str, Any]]) -> list[SentVersion]:
    """The rows as the correction rules see them."""
    return [SentVersion(claim_version=r["claim_version"], frequency_code=r["frequency_code"],
                        payer_responsibility=r["payer_responsibility"], status=r["status"],
                        payer_claim_control_number=r["payer_claim_control_number"]) for r in rows]
