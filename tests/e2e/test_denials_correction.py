"""The correction loop on the running stack: a SIMDNY claim denied for a coding reason goes back to a coder,
whose fix is sent as a replacement claim (frequency 7, REF*F8) that the payer then pays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import claim_reaching
from tests.e2e.denials_api import denial_of, new_claim, payer_claim_number, received_claims
from tests.e2e.denials_api import tenant_api as tenant_api  # a fixture
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import first, pyx12_errors
from tests.support.coding_review import accept_the_rest_and_resolve, coding_of, decide, reviews_url, timeline_types
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e
# SIMDNY pays a clean replacement at 0.80 of the charge with no patient share (payers.json corrected_claims).
CORRECTED_PAID = Decimal("181.60")  # 0.80 x (185.00 + 42.00)


async def reopened_by_the_denial(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    """The claim's coding once the denial has put it back in the coder review queue."""
    return await eventually(lambda: coding_of(api, stack, claim_id),
                            lambda c: c["status"] == "coding_review" and c["review"]["trigger"] == "denial",
                            f"claim {claim_id} to be back in coding review for its denial")


async def fix_as_coder(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str, line_number: int,
                       modifiers: list[str]) -> dict[str, Any]:
    """A coder takes the reopened review, sets the line's modifiers, accepts what else waits and resolves."""
    coding = await reopened_by_the_denial(api, stack, claim_id)
    assert any("CO-4" in reason for reason in coding["review"]["reasons"])
    review_id = coding["review"]["review_id"]
    assert (await api.post(reviews_url(stack, review_id, "assignment"))).status_code == 200
    fixed = await decide(api, stack, review_id, action="override", kind="procedure", line_number=line_number,
                         modifiers=modifiers, reason="E/M separately identifiable from the lab: modifier 25")
    assert fixed.status_code == 200, fixed.text
    return await accept_the_rest_and_resolve(api, stack, coding, fixed.json())


async def test_a_coding_denial_is_fixed_by_a_coder_resubmitted_as_frequency_7_and_paid(
        tenant_api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    api = tenant_api
    lines = encounter_for("SIMDNY")["service_lines"]
    lines[0]["modifiers"] = []  # 99214 billed with a lab but without modifier 25: SIMDNY's coding edit
    claim_id = await new_claim(api, stack, "SIMDNY", service_lines=lines, prior_authorization="AUTH-31")
    denial = await denial_of(api, stack, claim_id)
    assert denial["category"] == "coding" and denial["preventable"] is True
    assert denial["reason_codes"][0] == "CO-4" and "N822" in denial["remark_codes"]
    assert denial["review_required"] is False and denial["denied_amount"] == "227.00"
    original_number = await payer_claim_number(api, stack, claim_id)

    corrected = await api.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/correct",
                               json={"route": "coding", "reason": "modifier 25 missing on the E/M visit"})
    assert corrected.status_code == 202, corrected.text
    resolved = await fix_as_coder(api, stack, claim_id, line_number=1, modifiers=["25"])
    assert resolved["status"] == "resolved"

    # The replacement reaches the payer: frequency 7 naming the denied claim's number, adjudicated paid.
    versions = await eventually(lambda: received_claims(api, stack, claim_id),
                                lambda found: any(c["frequency_code"] == "7" and c["adjudication"] for c in found),
                                "the replacement to be received and adjudicated", 90)
    assert [(c["frequency_code"], c["adjudication"]) for c in versions] == [("1", "denied"), ("7", "paid")]
    assert versions[1]["original_reference"] == original_number
    assert versions[1]["payer_claim_control_number"] not in (None, original_number)
    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    replacement = submissions["submissions"][-1]
    assert replacement["frequency_code"] == "7" and replacement["claim_version"] == 2
    assert first(replacement["x12"], "CLM")[5].split(":")[2] == "7"
    assert first(replacement["x12"], "REF", "F8")[2] == original_number
    assert any(s.strip().startswith("SV1*HC:99214:25*185") for s in replacement["x12"].split("~"))
    assert pyx12_errors(replacement["x12"]) == []

    # Remittance posts it paid; the denial is recovered by the correction.
    await claim_reaching(api, stack, claim_id, {"paid"}, timeout=90)
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    assert Decimal(ledger["paid"]) == CORRECTED_PAID
    # The replacement supersedes the original's denial: its CO-4 / CO-50 are offset, only CO-45 stays.
    billed, written_off = Decimal(ledger["billed"]), Decimal(ledger["written_off"])
    patient = Decimal(ledger["patient_responsibility"]["total"])
    insurance_balance = Decimal(ledger["insurance_balance"])
    assert billed == CORRECTED_PAID + written_off + patient + insurance_balance
    assert (ledger["insurance_balance"], ledger["written_off"], ledger["patient_balance"]) == ("0.00", "45.40", "0.00")
    assert [(a["group_code"], a["reason_code"]) for a in ledger["adjustments"]] == [("CO", "45")]
    superseded = [e for e in ledger["entries"] if e["offset_reason"] == "superseded"]
    assert sum(Decimal(e["amount"]) for e in superseded) == Decimal("-227.00")
    assert {e["claim_version"] for e in superseded} == {1}
    recovered = await denial_of(api, stack, claim_id, until=lambda d: d["status"] == "resolved")
    assert recovered["resolution"] == "corrected" and Decimal(recovered["recovered_amount"]) == CORRECTED_PAID
    queue = (await api.get(f"{stack['DENIALS_URL']}/v1/work-queue")).json()["items"]
    assert denial["denial_id"] not in {item["denial_id"] for item in queue}

    # The claim's timeline tells the whole story, in order.
    events = await timeline_types(api, stack, claim_id, {"claim.correction_requested", "claim.coding_review_required"})
    types = [e["type"] for e in events]
    chain = ["claim.coded", "claim.submitted", "claim.denial_recorded", "claim.correction_requested",
             "claim.coding_review_required", "claim.coded", "claim.submitted", "claim.remittance_posted"]
    assert _in_order(types, chain), types
    posted = [e for e in events if e["type"] == "claim.remittance_posted"]
    assert [e["summary"]["claim_status"] for e in posted] == ["denied", "paid"]
    assert Decimal(posted[-1]["summary"]["paid"]) == CORRECTED_PAID


def _in_order(types: list[str], chain: list[str]) -> bool:
    """True when chain is a subsequence of types."""
    remaining = iter(types)
    return all(kind in remaining for kind in chain)
