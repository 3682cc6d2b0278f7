"""The coding decision's rules, one firing and one not-firing case each."""

from __future__ import annotations

import pytest

from services.coding.domain.coding_decision import decide_coding, dotted
from services.coding.domain.coding_engines import CodeSetUnavailable
from tests.unit.coding.fake_engines import (
    CONFIRMING,
    Edit,
    Em,
    FakeEngines,
    Reading,
    Skipped,
    Span,
    Suggested,
    encounter,
)

SUPPORTED_EM = {"99214": Em("99214", "99214", "supported")}

# name, encounter changes, engines, review?, rule expected to fire, diagnosis statuses, line statuses
CASES = [
    ("note confirms every code", {}, FakeEngines(CONFIRMING, SUPPORTED_EM), False, None,
     ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
    ("no note: a warning, the PMS codes go on", {"clinical_note": None}, FakeEngines(CONFIRMING), False,
     "COD-NOTE-MISSING", ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("no note reader installed: a warning", {}, FakeEngines(CONFIRMING, reads_notes=False), False,
     "COD-NOTE-NOT-READ", ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("empty note: review", {"clinical_note": "   "}, FakeEngines(CONFIRMING), True, "COD-NOTE-UNREADABLE",
     ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("non-text note: review", {"clinical_note": "{\\rtf1\\ansi body}"}, FakeEngines(CONFIRMING), True,
     "COD-NOTE-UNREADABLE", ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("the reader reports a problem: review", {}, FakeEngines(Reading(problems="the note is not English")), True,
     "COD-NOTE-UNREADABLE", ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("PMS code without evidence: review", {}, FakeEngines(Reading(diagnoses=(Suggested("E11.65"),)), SUPPORTED_EM),
     True, "COD-DX-UNSUPPORTED", ["confirmed", "unsupported"], ["confirmed", "not_checked"]),
    ("PMS code the reader has no words for: a warning", {},
     FakeEngines(Reading(diagnoses=(Suggested("E11.65"),)), SUPPORTED_EM, unknown_to_reader=frozenset({"I10"})),
     False, "COD-DX-NOT-COVERED", ["confirmed", "not_checked"], ["confirmed", "not_checked"]),
    ("PMS code at another specificity: review", {},
     FakeEngines(Reading(diagnoses=(Suggested("E11.9"), Suggested("I10"))), SUPPORTED_EM), True,
     "COD-DX-SPECIFICITY", ["unsupported", "confirmed"], ["confirmed", "not_checked"]),
    ("confident suggestion added", {},
     FakeEngines(Reading(diagnoses=(*CONFIRMING.diagnoses, Suggested("E78.5", 0.9))), SUPPORTED_EM), False,
     "COD-DX-SUGGESTED", ["confirmed", "confirmed", "added"], ["confirmed", "not_checked"]),
    ("weak suggestion flagged: review", {},
     FakeEngines(Reading(diagnoses=(*CONFIRMING.diagnoses, Suggested("E78.5", 0.6))), SUPPORTED_EM), True,
     "COD-DX-SUGGESTED-LOW", ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
    ("E/M over-coded: review", {}, FakeEngines(CONFIRMING, {"99214": Em("99214", "99213", "overcoded")}), True,
     "COD-EM-OVERCODED", ["confirmed", "confirmed"], ["overcoded", "not_checked"]),
    ("E/M under-coded: a warning, the claim goes on", {},
     FakeEngines(CONFIRMING, {"99214": Em("99214", "99215", "undercoded")}), False,
     "COD-EM-UNDERCODED", ["confirmed", "confirmed"], ["undercoded", "not_checked"]),
    ("E/M not assessable: a warning", {}, FakeEngines(CONFIRMING, {"99214": Em("99214", None, "not_assessable")}),
     False, "COD-EM-NOT-ASSESSABLE", ["confirmed", "confirmed"], ["not_assessable", "not_checked"]),
    ("error edit: review", {}, FakeEngines(CONFIRMING, SUPPORTED_EM, [Edit("NCCI-PTP", codes=("83036",))]), True,
     "NCCI-PTP", ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
    ("warning edit: goes on", {}, FakeEngines(CONFIRMING, SUPPORTED_EM, [Edit("MUE", "warning", line_numbers=(2,))]),
     False, "MUE", ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
    ("no code set for the date: review", {}, FakeEngines(CONFIRMING, SUPPORTED_EM, CodeSetUnavailable("FY2019")),
     True, "COD-CODESET-MISSING", ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
    ("note reader fails: review, not a crash", {}, FakeEngines(RuntimeError("boom")), True, "COD-ENGINE-FAILED",
     ["not_checked", "not_checked"], ["not_checked", "not_checked"]),
    ("edits engine fails: review, not a crash", {}, FakeEngines(CONFIRMING, SUPPORTED_EM, KeyError("x")), True,
     "COD-ENGINE-FAILED", ["confirmed", "confirmed"], ["confirmed", "not_checked"]),
]


@pytest.mark.parametrize(("changes", "engines", "review", "rule", "diagnoses", "lines"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_decision_rules(changes, engines, review, rule, diagnoses, lines):
    decision = decide_coding(encounter(**changes), engines)
    fired = {f.edit_id for f in decision.findings}
    assert decision.needs_review is review
    if rule is None:
        assert not decision.findings
    else:
        assert rule in fired
    assert [d.status for d in decision.diagnoses] == diagnoses
    assert [line.status for line in decision.procedures] == lines
    assert bool(decision.review_reasons) is review


def test_confirmed_codes_carry_their_evidence_and_source():
    decision = decide_coding(encounter(), FakeEngines(CONFIRMING, SUPPORTED_EM))
    assert [(d.code, d.source, d.pointer, d.evidence) for d in decision.diagnoses] == [
        ("E11.65", "pms", 1, ((0, 5),)), ("I10", "pms", 2, ((0, 5),))]
    assert decision.procedures[0].evidence == ((10, 20),) and decision.procedures[0].em.verdict == "supported"


def test_an_added_suggestion_is_billed_and_checked_by_the_edits():
    engines = FakeEngines(Reading(diagnoses=(*CONFIRMING.diagnoses, Suggested("E7849", 0.9))), SUPPORTED_EM)
    decision = decide_coding(encounter(), engines)
    assert decision.encounter.diagnoses == ["E11.65", "I10", "E78.49"]
    assert engines.seen[-1].diagnoses == ["E11.65", "I10", "E78.49"]
    assert decision.diagnoses[2].source == "suggested" and decision.diagnoses[2].pointer == 3


def test_a_suggestion_competing_with_a_pms_code_is_not_billed():
    engines = FakeEngines(Reading(diagnoses=(Suggested("E11.9"), Suggested("I10"))), SUPPORTED_EM)
    decision = decide_coding(encounter(), engines)
    assert decision.encounter.diagnoses == ["E11.65", "I10"]
    assert [(s.code, s.status) for s in decision.suggestions] == [("E11.9", "alternative")]


def test_edits_are_attached_to_the_codes_and_lines_they_name():
    edits = [Edit("EXCL1", codes=("E1165", "I10")), Edit("MOD25", line_numbers=(1,))]
    decision = decide_coding(encounter(), FakeEngines(CONFIRMING, SUPPORTED_EM, edits))
    assert [d.edits for d in decision.diagnoses] == [("EXCL1",), ("EXCL1",)]
    assert [line.edits for line in decision.procedures] == [("MOD25",), ()]


def test_review_reasons_name_codes_never_note_text():
    note = "Patient Jane Roe denies chest pain. " * 3
    engines = FakeEngines(Reading(diagnoses=(Suggested("E11.65"),)), {"99214": Em("99214", "99213", "overcoded")})
    decision = decide_coding(encounter(clinical_note=note), engines)
    assert decision.review_reasons and all("Jane" not in reason for reason in decision.review_reasons)
    assert any("I10" in reason for reason in decision.review_reasons)


def test_skipped_mentions_are_kept_for_the_coder():
    engines = FakeEngines(Reading(CONFIRMING.diagnoses, skipped=(Skipped(Span(3, 9), "negated"),)), SUPPORTED_EM)
    assert decide_coding(encounter(), engines).skipped == ((3, 9, "negated"),)


@pytest.mark.parametrize(("code", "expected"), [("e1165", "E11.65"), ("I10", "I10"), ("E11.65", "E11.65")])
def test_dotted(code, expected):
    assert dotted(code) == expected
