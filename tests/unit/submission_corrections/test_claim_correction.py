"""Which version a re-coding, a user's replacement or a user's void sends next (TR3 CLM05-3 / REF*F8 rules)."""

from __future__ import annotations

import pytest

from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.claim_correction import (
    CorrectionNotAllowed,
    CorrectionTrigger,
    SentVersion,
    encounter_for_frequency,
    plan_next_version,
)
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter

RECODED, REPLACE, VOID = CorrectionTrigger.RECODED, CorrectionTrigger.USER_REPLACEMENT, CorrectionTrigger.USER_VOID


def sent(version: int, status: str, number: str | None = None, frequency: str = "1",
         responsibility: str = "primary") -> SentVersion:
    return SentVersion(version, frequency, responsibility, status, number)


ACCEPTED = [sent(1, "accepted", "PCCN1")]
REJECTED = [sent(1, "rejected")]
REPLACED = [sent(1, "accepted", "PCCN1"), sent(2, "accepted", "PCCN2", "7")]
VOIDED = [sent(1, "accepted", "PCCN1"), sent(2, "accepted", "PCCN1", "8")]
WITH_SECONDARY = [sent(1, "accepted", "PCCN1"), sent(2, "accepted", "SEC9", responsibility="secondary")]
REJECTED_REPLACEMENT = [sent(1, "accepted", "PCCN1"), sent(2, "rejected", None, "7")]


@pytest.mark.parametrize(("history", "trigger", "expected"), [
    ([], RECODED, (1, "1", None)),  # scrub-failed before any send: the first original
    (ACCEPTED, RECODED, (2, "7", "PCCN1")),  # accepted by the payer: replace it
    (REJECTED, RECODED, (2, "1", None)),  # never accepted: a new original, not a 7 (TR3)
    (REPLACED, RECODED, (3, "7", "PCCN2")),  # replace the latest number the payer gave
    (VOIDED, RECODED, (3, "1", None)),  # voided at the payer: bill anew
    (WITH_SECONDARY, RECODED, (3, "7", "PCCN1")),  # the secondary's number is not the primary's claim
    (REJECTED_REPLACEMENT, RECODED, (3, "7", "PCCN1")),  # a rejected 7 leaves the accepted original live
    (ACCEPTED, REPLACE, (2, "7", "PCCN1")),
    (ACCEPTED, VOID, (2, "8", "PCCN1")),
    (REPLACED, VOID, (3, "8", "PCCN2")),
])
def test_next_version(history: list[SentVersion], trigger: CorrectionTrigger,
                      expected: tuple[int, str, str | None]) -> None:
    plan = plan_next_version(history, trigger)
    assert (plan.claim_version, plan.frequency_code.value, plan.payer_claim_control_number) == expected


@pytest.mark.parametrize(("history", "trigger", "reason"), [
    ([sent(1, "sent")], RECODED, "awaiting_payer"),
    ([sent(1, "pending")], VOID, "awaiting_payer"),
    (REJECTED, REPLACE, "never_accepted"),
    (REJECTED, VOID, "never_accepted"),
    ([sent(1, "refused")], VOID, "never_accepted"),
    (VOIDED, VOID, "already_voided"),
    (VOIDED, REPLACE, "already_voided"),
    ([], REPLACE, "not_billed"),
])
def test_corrections_refused(history: list[SentVersion], trigger: CorrectionTrigger, reason: str) -> None:
    with pytest.raises(CorrectionNotAllowed) as refused:
        plan_next_version(history, trigger)
    assert refused.value.reason == reason


def test_accepted_needs_a_payer_claim_control_number() -> None:
    # A 277CA that accepted without a number leaves nothing to put in REF*F8 until the 835's CLP07 arrives.
    with pytest.raises(CorrectionNotAllowed):
        plan_next_version([sent(1, "accepted", None)], VOID)


def _institutional(type_of_bill: str) -> Encounter:
    document = example_encounter()
    document.update(claim_type="institutional", type_of_bill=type_of_bill, admission_date=document["date_of_service"],
                    admission_hour=8, discharge_date=document["date_of_service"], discharge_hour=12,
                    patient_status="01", attending_provider=document["rendering_provider"])
    for line in document["service_lines"]:
        line["revenue_code"] = "0450"
    return Encounter.model_validate(document)


@pytest.mark.parametrize(("type_of_bill", "frequency", "expected"), [
    ("0131", ClaimFrequency.REPLACEMENT, "0137"),
    ("0131", ClaimFrequency.VOID, "0138"),
    ("0131", ClaimFrequency.ORIGINAL, "0131"),
    ("0137", ClaimFrequency.ORIGINAL, "0131"),  # a corrected bill sent again as new starts over at 1
])
def test_institutional_frequency_rides_in_the_type_of_bill(type_of_bill: str, frequency: ClaimFrequency,
                                                           expected: str) -> None:
    assert encounter_for_frequency(_institutional(type_of_bill), frequency).type_of_bill == expected


def test_professional_encounter_is_billed_as_is() -> None:
    encounter = Encounter.model_validate(example_encounter())
    assert encounter_for_frequency(encounter, ClaimFrequency.REPLACEMENT) is encounter
