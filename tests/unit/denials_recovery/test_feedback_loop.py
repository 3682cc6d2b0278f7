"""Scrubber proposals from denial patterns (denials) and the learned edits they become (submission)."""

import datetime as dt
from decimal import Decimal

import pytest

from services.denials.domain.classification import LineDenial
from services.denials.domain.scrubber_proposals import (
    DenialPattern,
    condition_for,
    edit_id_for,
    is_due,
    patterns_in,
    proposal_id_for,
)
from services.submission.domain.scrubber import ScrubContext
from services.submission.domain.scrubber.learned_edits import learned_library
from tests.support.encounters import encounter_for


def line(lcn, carc, category, preventable=True):
    return LineDenial(lcn, "CO", carc, Decimal("10"), category, preventable, "x")


def test_preventable_lines_make_patterns_with_their_own_procedure() -> None:
    found = patterns_in("SIMDNY", [line("L1", "197", "authorization"), line("L2", "50", "medical_necessity", False)],
                        {"L1": "99214", "L2": "83036"})
    assert found == {DenialPattern("SIMDNY", "99214", "197", "authorization")}


def test_a_claim_level_denial_counts_for_every_procedure() -> None:
    found = patterns_in("P", [line(None, "16", "missing_information")], {"L1": "99214", "L2": "83036"})
    assert {p.procedure_code for p in found} == {"99214", "83036"}


@pytest.mark.parametrize(("occurrences", "due"), [(2, False), (3, True)])
def test_a_pattern_is_due_at_the_threshold(occurrences, due) -> None:
    assert is_due(occurrences, 3) is due


@pytest.mark.parametrize(("pattern", "requires"), [
    (DenialPattern("P", "99214", "197", "authorization"), "prior_authorization"),
    (DenialPattern("P", "99214", "4", "coding"), "modifier"),
    (DenialPattern("P", "99214", "18", "duplicate"), "nothing"),
])
def test_the_edit_checks_what_the_denial_was_about(pattern, requires) -> None:
    assert condition_for(pattern) == requires


def test_one_proposal_per_tenant_and_pattern() -> None:
    pattern = DenialPattern("P", "99214", "197", "authorization")
    assert proposal_id_for("t1", pattern) == proposal_id_for("t1", pattern) != proposal_id_for("t2", pattern)
    assert edit_id_for(7) == "SCR-LRN-007"


def _learned(requires: str, procedure: str = "99214", payer: str = "SIMDNY"):
    return learned_library("v", [{"edit_id": "SCR-LRN-001", "message": "m", "fix_hint": "h", "condition": {
        "payer_id": payer, "procedure_code": procedure, "requires": requires}}])


CONTEXT = ScrubContext(today=dt.date(2026, 5, 1))


@pytest.mark.parametrize(("library", "changes", "pointers"), [
    (_learned("prior_authorization"), {"prior_authorization": None}, ["/prior_authorization"]),
    (_learned("prior_authorization"), {"prior_authorization": "AUTH123"}, []),
    (_learned("prior_authorization", payer="SIMPAY"), {"prior_authorization": None}, []),
    (_learned("prior_authorization", procedure="20610"), {"prior_authorization": None}, []),
    (_learned("modifier", procedure="83036"), {}, ["/service_lines/1/modifiers"]),
    (_learned("modifier"), {}, []),  # 99214 carries modifier 25 in the example
    (_learned("nothing"), {}, ["/service_lines/0/procedure_code"]),
])
def test_a_learned_edit_fires_on_its_payer_and_procedure_when_the_claim_lacks_the_fix(library, changes,
                                                                                      pointers) -> None:
    encounter = encounter_for("SIMDNY", **changes)
    result = library.scrub(encounter, CONTEXT)
    assert [f.pointer for f in result.findings] == pointers
    assert all(f.edit_id == "SCR-LRN-001" and f.severity == "error" for f in result.findings)
