"""Remittance's use cases on real PostgreSQL: every billed version keeps its lines, an 835 posts against the
version it answers, and the denial of version 1 arriving after the replacement (version 2) was paid is
superseded as it posts (and its reversal then changes nothing in force), so the claim stays paid and its
ledger balances to the cent.

The 835s are written with the e2e builder (balanced, REF*6R echoed) and go through receive_era_file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select

from services.remittance.adapters.tables import billed_claims, era_claims, ledger_entries, messaging
from services.remittance.service_layer.claim_arrivals import SubmittedClaims
from services.remittance.service_layer.posting import receive_era_file
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.claim_events import BilledLine, ClaimSubmitted
from shared.messaging.deliveries import ConsumerUnitOfWork
from shared.messaging.outbox import envelope_for
from tests.e2e.remittance_eras import ClaimPayment, Era, Line
from tests.e2e.x12_documents import BilledClaim
from tests.e2e.x12_documents import BilledLine as SentLine
from tests.support.consumer_batches import deliveries_of
from tests.support.environment import IsolatedEnvironment
from tests.support.payees import new_npi, new_tin, project_payees

D = Decimal
TENANT = "t-versions-in-force"
SERVICE_DATE = dt.date(2026, 11, 2)
LINES = (("HC:99214", D("185.00")), ("HC:80053", D("42.00")))
NPI, TIN = new_npi(), new_tin()  # the tenant's payee: its 835s are routed to it


def submitted(claim_id: str, pcn: str, version: int, frequency: str):
    lines = [BilledLine(line_control_number=f"{pcn}-{version}-{i}", procedure_code=code.split(":")[1], modifiers=[],
                        units=D(1), charge=charge, date_of_service=SERVICE_DATE)
             for i, (code, charge) in enumerate(LINES, start=1)]
    event = ClaimSubmitted(submission_id=str(uuid.uuid4()), claim_version=version, patient_control_number=pcn,
                           frequency_code=frequency, payer_id="SIMDNY", interchange_control_number=str(version),
                           total_charge=D("227.00"), billing_provider_npi=NPI,
                           patient_account_number="ACCT-VERSIONS", lines=lines)
    return event, envelope_for(event, source="submission", claim_id=claim_id, tenant_id=TENANT)


def sent(pcn: str, version: int) -> BilledClaim:
    return BilledClaim(pcn, D("227.00"), "DOE", "JANE", "MEMBER1", tuple(
        SentLine(code, charge, "1", SERVICE_DATE.strftime("%Y%m%d"), f"{pcn}-{version}-{i}")
        for i, (code, charge) in enumerate(LINES, start=1)))


async def test_a_late_denial_of_version_1_is_superseded_by_the_paid_replacement(isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim_id, pcn = str(uuid.uuid4()), f"V{uuid.uuid4().hex[:12].upper()}"
    try:
        await project_payees(sessions, TENANT, NPI, TIN)
        for version, frequency in ((1, "1"), (2, "7")):
            event, envelope = submitted(claim_id, pcn, version, frequency)
            async with unit_of_work(sessions) as session:
                await SubmittedClaims().apply(ConsumerUnitOfWork(session, messaging), deliveries_of([envelope]))
        paid = ClaimPayment("1", "DNY-2", (Line(D("148"), (("CO", "45", D("37")),)),
                                           Line(D("33.60"), (("CO", "45", D("8.40")),))))
        denied = ClaimPayment("4", "DNY-1", (Line(D("0"), (("CO", "4", D("185")),)),
                                             Line(D("0"), (("CO", "50", D("42")),))))
        reversal = ClaimPayment("22", "DNY-1", denied.lines, sign=-1)
        # Version 1's answer comes last, and is then reversed: neither changes what is in force.
        for era in (Era(sent(pcn, 2), [paid], payee_npi=NPI, payee_tin=TIN),
                    Era(sent(pcn, 1), [denied], payee_npi=NPI, payee_tin=TIN),
                    Era(sent(pcn, 1), [reversal], payee_npi=NPI, payee_tin=TIN)):
            async with unit_of_work(sessions) as session:
                assert await receive_era_file(session, f"versions-{uuid.uuid4().hex}", era.text()) == ("posted", None)

        async with sessions() as session:
            answered = (await session.execute(select(era_claims.c.status_code, era_claims.c.claim_version).where(
                era_claims.c.claim_id == claim_id))).all()
            rows = (await session.execute(select(ledger_entries).where(ledger_entries.c.claim_id == claim_id)
                                          .order_by(ledger_entries.c.entry_id))).all()
            status = (await session.execute(select(billed_claims.c.status).where(
                billed_claims.c.claim_id == claim_id))).scalar_one()
            announced = (await session.execute(select(messaging.claim_events.c.data).where(
                messaging.claim_events.c.claim_id == claim_id).order_by(messaging.claim_events.c.version))).all()
        assert sorted(answered) == [("1", 2), ("22", 1), ("4", 1)]
        # Each answer posted against its own version's lines, not the latest version's.
        assert {(r.claim_version, r.line_control_number) for r in rows} == {
            (version, f"{pcn}-{version}-{i}") for version in (1, 2) for i in (1, 2)}
        net: dict[str, Decimal] = {}
        for row in rows:
            net[row.kind] = net.get(row.kind, D(0)) + row.amount
        assert (net["payment"], net["contractual"]) == (D("181.60"), D("45.40"))  # CO-4 / CO-50 offset
        superseded = [r for r in rows if r.offset_reason == "superseded"]
        assert [(r.claim_version, r.amount) for r in superseded] == [(1, D("-185.00")), (1, D("-42.00"))]
        reversed_rows = [r for r in rows if r.offset_reason == "reversal"]
        assert sum(r.amount for r in reversed_rows) == 0 and len(reversed_rows) == 4  # the denial and its offsets
        # The superseded denial and its reversal change neither the claim's status nor what others were told.
        assert status == "paid"
        assert [e.data["claim_status"] for e in announced] == ["paid"]
    finally:
        await engine.dispose()
