"""Remittance's use cases on real PostgreSQL: an 835 is matched only against the claims of the tenant its payee
names. Another tenant's claim with the same claim number, or named by a PLB reference, is never touched; the
payment waits for the payee's own claim, and posts when that claim's submission arrives."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select

from services.remittance.adapters.payee_store import PayeeProjection
from services.remittance.adapters.tables import (
    billed_claims,
    eras,
    ledger_entries,
    messaging,
    payee_identifiers,
    payer_account_entries,
)
from services.remittance.service_layer.claim_arrivals import SubmittedClaims
from services.remittance.service_layer.posting import receive_era_file
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.claim_events import BilledLine, ClaimSubmitted
from shared.messaging.deliveries import ConsumerUnitOfWork
from shared.messaging.outbox import envelope_for
from tests.e2e.remittance_eras import ClaimPayment, Era, Line, ProviderAdjustment
from tests.e2e.x12_documents import BilledClaim
from tests.e2e.x12_documents import BilledLine as SentLine
from tests.support.consumer_batches import deliveries_of
from tests.support.environment import IsolatedEnvironment
from tests.support.payees import new_npi, new_tin, project_payees

D = Decimal
SERVICE_DATE = dt.date.today() - dt.timedelta(days=7)
PAYMENT = ClaimPayment("1", "RTE-CCN-1", (Line(D("148"), (("CO", "45", D("37")),)),))


def submitted(tenant_id: str, claim_id: str, pcn: str, npi: str):
    line = BilledLine(line_control_number=f"{pcn}-1", procedure_code="99214", modifiers=[], units=D(1),
                      charge=D("185.00"), date_of_service=SERVICE_DATE)
    event = ClaimSubmitted(submission_id=str(uuid.uuid4()), claim_version=1, patient_control_number=pcn,
                           frequency_code="1", payer_id="SIMPAY", interchange_control_number="1",
                           total_charge=D("185.00"), billing_provider_npi=npi, patient_account_number="ACCT-RTE",
                           lines=[line])
    return event, envelope_for(event, source="submission", claim_id=claim_id, tenant_id=tenant_id)


def sent(pcn: str) -> BilledClaim:
    return BilledClaim(pcn, D("185.00"), "DOE", "JANE", "MEMBER1",
                       (SentLine("HC:99214", D("185.00"), "1", SERVICE_DATE.strftime("%Y%m%d"), f"{pcn}-1"),))


async def test_a_claim_number_another_tenant_billed_waits_for_the_payees_own_claim(
        isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    payee, other = f"t-payee-{uuid.uuid4().hex[:6]}", f"t-other-{uuid.uuid4().hex[:6]}"
    npi, tin = new_npi(), new_tin()
    pcn, others_claim, own_claim = f"R{uuid.uuid4().hex[:12].upper()}", str(uuid.uuid4()), str(uuid.uuid4())
    try:
        await project_payees(sessions, payee, npi, tin)
        async with unit_of_work(sessions) as session:  # the other tenant billed the same claim number first
            _, envelope = submitted(other, others_claim, pcn, npi)
            await SubmittedClaims().apply(ConsumerUnitOfWork(session, messaging), deliveries_of([envelope]))
        era = Era(sent(pcn), [PAYMENT], payee_npi=npi, payee_tin=tin,
                  provider_adjustments=[ProviderAdjustment("WO", pcn, D("10"))])
        async with unit_of_work(sessions) as session:
            assert await receive_era_file(session, f"rte-{uuid.uuid4().hex}", era.text()) == ("unmatched", None)

        async with sessions() as session:
            row = (await session.execute(select(eras).where(eras.c.trace_number == era.trace_number))).one()
            status = await session.scalar(select(billed_claims.c.status).where(
                billed_claims.c.claim_id == others_claim))
            entries = (await session.execute(select(ledger_entries).where(
                ledger_entries.c.claim_id == others_claim))).all()
            [plb] = (await session.execute(select(payer_account_entries).where(
                payer_account_entries.c.era_id == row.era_id))).all()
        assert (row.tenant_id, row.status, row.claims_matched) == (payee, "unmatched", 0)
        assert (status, entries) == ("submitted", [])  # not a cent on the other tenant's claim
        assert (plb.tenant_id, plb.claim_id) == (payee, None)  # its PLB reference links none of the other's claims

        async with unit_of_work(sessions) as session:  # the payee's own claim arrives: the payment posts to it
            _, envelope = submitted(payee, own_claim, pcn, npi)
            await SubmittedClaims().apply(ConsumerUnitOfWork(session, messaging), deliveries_of([envelope]))
        async with sessions() as session:
            paid = (await session.execute(select(ledger_entries.c.kind, ledger_entries.c.amount).where(
                ledger_entries.c.claim_id == own_claim))).all()
            row = (await session.execute(select(eras).where(eras.c.trace_number == era.trace_number))).one()
        assert sorted(paid) == [("contractual", D("37.00")), ("payment", D("148.00"))]
        assert (row.status, row.claims_matched) == ("posted", 1)
    finally:
        await engine.dispose()


async def test_an_older_registration_changes_nothing_and_a_released_identifier_moves(
        isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    first, second, npi = f"t-first-{uuid.uuid4().hex[:6]}", f"t-second-{uuid.uuid4().hex[:6]}", new_npi()

    async def owners() -> set[tuple[str, str]]:
        async with sessions() as session:
            rows = (await session.execute(select(payee_identifiers.c.kind, payee_identifiers.c.tenant_id).where(
                payee_identifiers.c.identifier == npi))).all()
        return {(r.kind, r.tenant_id) for r in rows}

    try:
        async with unit_of_work(sessions) as session:
            assert await PayeeProjection(session).replace(first, 2, [("npi", npi)])
        async with unit_of_work(sessions) as session:  # a replayed, older set of the same tenant
            assert not await PayeeProjection(session).replace(first, 1, [])
        assert await owners() == {("npi", first)}
        async with unit_of_work(sessions) as session:  # intake let the second take it once the first released it
            assert await PayeeProjection(session).replace(first, 3, [])
            assert await PayeeProjection(session).replace(second, 1, [("npi", npi)])
        assert await owners() == {("npi", second)}
    finally:
        await engine.dispose()
