"""A tenant's coding policy: undercoding and an assumed ICD-10-CM release are warnings unless it holds them."""

from __future__ import annotations

import pytest

from services.coding.domain.coding_decision import decide_coding
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy
from tests.unit.coding.fake_engines import CONFIRMING, Edit, Em, FakeEngines, encounter

SUPPORTED_EM = {"99214": Em("99214", "99214", "supported")}
UNDERCODED = {"99214": Em("99214", "99215", "undercoded")}
OVERCODED = {"99214": Em("99214", "99213", "overcoded")}
ASSUMED = Edit("COD-ICD-RELEASE-ASSUMED", "warning", "FY2028 not loaded: checked against FY2027")
UNKNOWN_IN_ASSUMED = Edit("COD-ICD-ASSUMED-UNKNOWN", "error", "not in FY2027", codes=("I10",))
HOLD_UNDERCODING = CodingPolicy(hold_undercoding=True)
HOLD_ALL_UNCOVERED = CodingPolicy(when_no_release_covers="hold_all")


def _severity(policy: CodingPolicy, engines: FakeEngines, edit_id: str) -> tuple[bool, str]:
    decision = decide_coding(encounter(), engines, policy)
    [finding] = [f for f in decision.findings if f.edit_id == edit_id]
    return decision.needs_review, finding.severity


@pytest.mark.parametrize("policy, held", [(DEFAULT_POLICY, False), (HOLD_UNDERCODING, True),
                                          (HOLD_ALL_UNCOVERED, False)])
def test_undercoding_holds_only_when_the_tenant_says_so(policy: CodingPolicy, held: bool) -> None:
    engines = FakeEngines(CONFIRMING, UNDERCODED)
    assert _severity(policy, engines, "COD-EM-UNDERCODED") == (held, "error" if held else "warning")


@pytest.mark.parametrize("policy", [DEFAULT_POLICY, HOLD_UNDERCODING, HOLD_ALL_UNCOVERED])
def test_overcoding_always_holds(policy: CodingPolicy) -> None:
    assert _severity(policy, FakeEngines(CONFIRMING, OVERCODED), "COD-EM-OVERCODED") == (True, "error")


@pytest.mark.parametrize("policy, held", [(DEFAULT_POLICY, False), (HOLD_UNDERCODING, False),
                                          (HOLD_ALL_UNCOVERED, True)])
def test_an_assumed_release_holds_only_when_the_tenant_holds_all(policy: CodingPolicy, held: bool) -> None:
    engines = FakeEngines(CONFIRMING, SUPPORTED_EM, [ASSUMED])
    assert _severity(policy, engines, "COD-ICD-RELEASE-ASSUMED") == (held, "error" if held else "warning")


def test_a_code_the_assumed_release_lacks_holds_under_any_policy() -> None:
    engines = FakeEngines(CONFIRMING, SUPPORTED_EM, [ASSUMED, UNKNOWN_IN_ASSUMED])
    assert decide_coding(encounter(), engines).needs_review
    reasons = decide_coding(encounter(), engines, DEFAULT_POLICY).review_reasons
    assert reasons == ["COD-ICD-ASSUMED-UNKNOWN: not in FY2027"]


def test_a_held_warning_says_the_policy_held_it() -> None:
    decision = decide_coding(encounter(), FakeEngines(CONFIRMING, UNDERCODED), HOLD_UNDERCODING)
    [reason] = decision.review_reasons
    assert reason.startswith("COD-EM-UNDERCODED: line 1: 99214 billed, the note supports 99215")
    assert reason.endswith("(held by the tenant's coding policy)")
