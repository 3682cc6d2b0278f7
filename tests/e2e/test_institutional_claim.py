"""An institutional (837I) claim through the running stack: posted, billed on a valid 837I, paid."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.x12_documents import pyx12_errors
from tests.support.encounters import CODED_DATE_OF_SERVICE, days_after_service
from tests.unit.intake.documents import institutional


async def test_an_outpatient_hospital_claim_is_billed_on_an_837i_and_paid(api, stack) -> None:
    encounter = institutional()
    encounter["external_id"] = f"T-INST-{uuid.uuid4().hex[:12]}"
    # Dated a week ago, like a practice's claim of today (see tests/support/encounters.py).
    encounter.update(date_of_service=CODED_DATE_OF_SERVICE, admission_date=days_after_service(-1),
                     discharge_date=days_after_service(1))
    encounter["coverages"][0]["payer"]["payer_id"] = "SIMPAY"
    response = await post_encounter(api, stack, encounter)
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})

    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    x12 = submissions["submissions"][0]["x12"]
    assert "005010X223A2" in x12 and "SV2*0510*" in x12 and "CL1*" in x12
    assert pyx12_errors(x12) == []
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    assert ledger["billed"] == "227.00"
    assert ledger["insurance_balance"] == "0.00"
