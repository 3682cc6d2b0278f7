"""PLB references link to claims; an ERA for another payee is recognised; patient keys hide account numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from services.remittance.domain import ProviderAdjustment
from services.remittance.domain.patient_key import patient_key
from services.remittance.domain.payer_account import ClaimReference, linked_claim, other_payee_reason

from .fixture_files import parse_fixture

BY_CCN = {"ACMECCN0977": ClaimReference("claim-by-ccn", "t1")}
BY_PCN = {"PCN4001": ClaimReference("claim-by-pcn", "t1")}


def _plb(reference: str) -> ProviderAdjustment:
    return ProviderAdjustment(30, "1234567893", dt.date(2024, 12, 31), "WO", reference, Decimal("120"))


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("ACMECCN0977", "claim-by-ccn"), ("PCN4001", "claim-by-pcn"), ("UNKNOWN", None), ("", None)],
)
def test_a_provider_adjustment_links_to_the_claim_its_reference_names(reference, expected):
    linked = linked_claim(_plb(reference), BY_CCN, BY_PCN)
    assert (linked.claim_id if linked else None) == expected


def test_the_recoupment_fixture_names_an_earlier_claim_and_its_own():
    [recoupment, interest] = parse_fixture("provider_adjustment_recoupment_interest.835")[0].provider_adjustments
    assert (recoupment.reason_code, recoupment.reference_id, recoupment.amount) == ("WO", "ACMECCN0977", 120)
    assert (interest.reason_code, interest.reference_id, interest.amount) == ("L6", "ACMECCN4001", Decimal("-4.25"))


@pytest.mark.parametrize(
    ("npis", "held"),
    [({"1234567893"}, False), (set(), False), ({"1497758544"}, True), ({"1234567893", "1497758544"}, True)],
)
def test_an_era_paying_another_payee_is_held_naming_n1(npis, held):
    remittance = parse_fixture("payment_deductible_coinsurance_copay.835")[0]
    reason = other_payee_reason(remittance, npis)
    assert (reason is not None) == held
    if held:
        assert reason.startswith("other payee at segment 11 (N1)")


def test_a_tax_id_payee_is_not_compared():
    remittance = parse_fixture("payment_deductible_coinsurance_copay.835")[0]
    remittance.payee = replace(remittance.payee, id_qualifier="FI", identifier="431234567")
    assert other_payee_reason(remittance, {"1497758544"}) is None


def test_patient_key_is_stable_per_tenant_and_hides_the_account_number():
    key = patient_key("tenant-a", "PT-88812")
    assert key == patient_key("tenant-a", "PT-88812") and len(key) == 32
    assert key != patient_key("tenant-b", "PT-88812") and "88812" not in key
