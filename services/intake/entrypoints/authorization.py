"""Intake's request gate: the scoped callers every route declares (shared/http/access.py) and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import audit_log
from shared.http.access import ClaimsReader as ClaimsReader
from shared.http.access import EncounterWriter as EncounterWriter
from shared.http.access import WebhooksManager as WebhooksManager
from shared.phi_audit import record_disclosure
from shared.tenancy import Principal


async def audit_reads(session: AsyncSession, request: Request, caller: Principal, claim_ids: Sequence[str]) -> None:
    """Record the disclosure in the reading transaction: no audit row, no data."""
    await record_disclosure(session, audit_log, request, caller, claim_ids)
