"""Keep remittance's copy of who is paid under which payee identifier: ERAs are routed by it (posting)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.payee_store import PayeeProjection
from services.remittance.domain.payee_routing import NPI, TIN
from shared.events.envelope import EventEnvelope
from shared.events.tenant_events import PayeeIdentifiersSet


async def project_payee_identifiers(session: AsyncSession, event: PayeeIdentifiersSet,
                                    _envelope: EventEnvelope) -> None:
    """Replace the tenant's payee identifiers with the announced set (an older revision changes nothing).

    ERAs that arrived before the registration stay in the operator queue until an operator routes them:
    routing money to a practice is a decision someone signs, not a side effect of a consumer."""
    identifiers = {(NPI, npi) for npi in event.npis} | {(TIN, tin) for tin in event.tins}
    await PayeeProjection(session).replace(event.tenant_id, event.revision, sorted(identifiers))
