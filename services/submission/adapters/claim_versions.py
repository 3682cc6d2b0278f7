"""Submission's SQL for a claim's version history: the billing claim locked for a new version, its submissions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, update
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

    async def note_adjudication(self, claim_id: str, payer_id: str, claim_status: str,
                                payer_claim_control_number: str | None) -> None:
        """An 835 posting for the latest version sent to that payer: its outcome, and its CLP07 as the
        payer claim control number when no 277CA gave one."""
        latest = (select(func.max(submissions.c.claim_version)).where(
            submissions.c.claim_id == claim_id, submissions.c.payer_id == payer_id,
            submissions.c.status.in_(("sent", "accepted")))).scalar_subquery()
        version = and_(submissions.c.claim_id == claim_id, submissions.c.claim_version == latest)
        await self.session.execute(update(submissions).where(version).values(adjudication=claim_status))
        if payer_claim_control_number:
            await self.session.execute(update(submissions).where(
                version, submissions.c.payer_claim_control_number.is_(None),
            ).values(payer_claim_control_number=payer_claim_control_number, status="accepted"))

def sent_versions(rows: list[dict[str, Any]]) -> list[SentVersion]:
    """The rows as the correction rules see them."""
    return [SentVersion(claim_version=r["claim_version"], frequency_code=r["frequency_code"],
                        payer_responsibility=r["payer_responsibility"], status=r["status"],
                        payer_claim_control_number=r["payer_claim_control_number"]) for r in rows]
