"""The simulator's appeal overturn (tools/clearinghouse/appeals.py): a balanced, pyx12-valid paying 835."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.unit.clearinghouse.testkit import balance_problems, pyx12_errors, simulator_settings, submitted_claim
from tools.clearinghouse.appeals import CLEARINGHOUSE, SUBMITTER, overturn
from tools.clearinghouse.ledger import ClaimRecord
from tools.clearinghouse.outbound_envelope import OutboundControl
from tools.clearinghouse.payer_rules import load_payers
from tools.clearinghouse.settings import ClearinghouseSettings
from tools.clearinghouse.x12_835 import Remittance, write_835


def _denied() -> ClaimRecord:
    claim = submitted_claim([("99214", "185.00"), ("83036", "42.00")], payer_id="SIMDNY")
    return ClaimRecord(claim, "A2:20", True, "26100ABC0000001", False, "denied")


@pytest.mark.parametrize(("paid", "total", "refused"), [
    (None, Decimal("227.00"), Decimal("0")),
    (Decimal("100.00"), Decimal("100.00"), Decimal("127.00")),
    (Decimal("999.00"), Decimal("227.00"), Decimal("0")),  # never more than the charge
])
def test_the_overturn_pays_in_full_or_up_to_the_amount_with_the_rest_refused(paid, total, refused) -> None:
    result = overturn(_denied(), paid)
    assert result.status_code == "1" and result.paid == total
    assert sum((a.amount for line in result.lines for a in line.adjustments), Decimal("0")) == refused


def test_the_overturning_835_is_valid_and_balances(tmp_path) -> None:
    settings: ClearinghouseSettings = simulator_settings()
    payers = load_payers(settings.payers_file)
    result = overturn(_denied(), Decimal("100.00"))
    remittance = Remittance(payer=payers["SIMDNY"], payee=result.claim.billing_provider, claims=(result,),
                            trace_number="TRACE0001", payment_date=dt.date(2026, 5, 1))
    x12 = write_835(remittance, CLEARINGHOUSE, SUBMITTER, OutboundControl(7, 7, dt.datetime(2026, 5, 1, tzinfo=dt.UTC)))
    assert pyx12_errors(x12, tmp_path) == []
    assert balance_problems(x12) == []
