"""A coder's decisions on a review item: each rule allowing and refusing."""

from __future__ import annotations

import pytest

from services.coding.domain import coder_decisions
from services.coding.domain.coder_decisions import CodeDecision
from services.coding.domain.coding_decision import decide_coding
from services.coding.domain.decision_rules import Finding
from services.coding.domain.review_queue import (
    EditsStillFire,
    InvalidCodeDecision,
    ReviewClosed,
    ReviewItem,
    ReviewNotAssigned,
    UndecidedCodes,
    open_review,
    reopen_review,
)
from tests.unit.coding.fake_engines import Em, FakeEngines, Reading, Suggested, encounter

CODER = "api_key:key-1"
OVERCODED = {"99214": Em("99214", "99213", "overcoded")}


def review(engines: FakeEngines | None = None, **changes) -> ReviewItem:
    """E11.65 unsupported, I10 confirmed, 99214 over-coded; assigned to CODER."""
    engines = engines or FakeEngines(Reading(diagnoses=(Suggested("I10"), Suggested("E78.5", 0.6))), OVERCODED)
    decision = decide_coding(encounter(**changes), engines)
    assert decision.needs_review
    item = open_review("r-1", "c-1", "t-1", "coding", decision, 1)
    coder_decisions.assign(item, CODER)
    return item


def decide(item: ReviewItem, action: str, kind: str = "diagnosis", **fields) -> coder_decisions.DecisionRecord:
    return coder_decisions.decide(item, CODER, CodeDecision(action=action, kind=kind, reason="per note", **fields))


def test_the_codes_needing_a_decision_are_the_ones_the_rules_named():
    assert review().undecided() == ["E11.65", "E78.5", "line 1 99214"]


def test_a_claim_level_reason_puts_every_billed_code_up_for_decision():
    item = review(FakeEngines(Reading(problems="the note is not English")), clinical_note="x y z words")
    assert item.undecided() == ["E11.65", "I10", "line 1 99214", "line 2 83036"]


def test_override_replaces_the_code_where_it_stands():
    item = review()
    record = decide(item, "override", code="E11.65", new_code="E1169")
    assert (record.code, record.new_code) == ("E11.65", "E11.69")
    assert item.final_encounter().diagnoses == ["E11.69", "I10"]
    assert item.diagnoses[0].source == "coder" and item.diagnoses[0].original_code == "E11.65"


@pytest.mark.parametrize(("fields", "pointer"), [
    ({"code": "E11.65", "new_code": "E11-65"}, "/new_code"),  # not ICD-10-CM
    ({"code": "E11.65", "new_code": "I10"}, "/new_code"),  # already on the claim
    ({"code": "Z00.00", "new_code": "E11.9"}, "/code"),  # not on the item
])
def test_override_refuses_bad_codes(fields, pointer):
    with pytest.raises(InvalidCodeDecision) as refused:
        decide(review(), "override", **fields)
    assert refused.value.pointer == pointer


def test_procedure_override_changes_code_and_modifiers():
    item = review()
    decide(item, "override", "procedure", line_number=1, new_code="99213", modifiers=("25",))
    line = item.final_encounter().service_lines[0]
    assert (line.procedure_code, line.modifiers) == ("99213", ["25"])


@pytest.mark.parametrize("fields", [{"line_number": 1, "new_code": "9921"}, {"line_number": 1, "modifiers": ("2",)},
                                    {"line_number": 9, "new_code": "99213"}])
def test_procedure_override_refuses_bad_input(fields):
    with pytest.raises(InvalidCodeDecision):
        decide(review(), "override", "procedure", **fields)


def test_remove_re_points_the_lines():
    item = review()
    decide(item, "remove", code="I10")
    final = item.final_encounter()
    assert final.diagnoses == ["E11.65"] and [line.diagnosis_pointers for line in final.service_lines] == [[1], [1]]


def test_remove_refuses_to_leave_a_line_without_a_diagnosis():
    with pytest.raises(InvalidCodeDecision, match="points only to E11.65"):
        decide(review(), "remove", code="E11.65")


def test_add_appends_and_points_the_named_lines():
    item = review()
    decide(item, "add", new_code="E78.5", line_numbers=(2,))
    final = item.final_encounter()
    assert final.diagnoses == ["E11.65", "I10", "E78.5"] and final.service_lines[1].diagnosis_pointers == [1, 3]


def test_a_service_line_cannot_be_added():
    with pytest.raises(InvalidCodeDecision, match="cannot add a service line"):
        decide(review(), "add", "procedure", new_code="99213")


def test_accepting_a_flagged_suggestion_bills_it():
    item = review()
    decide(item, "accept", code="E78.5")
    assert item.final_encounter().diagnoses == ["E11.65", "I10", "E78.5"]


def test_deciding_needs_the_item_assigned_to_the_caller():
    item = review()
    with pytest.raises(ReviewNotAssigned):
        coder_decisions.decide(item, "api_key:other", CodeDecision("accept", "diagnosis", "ok", code="I10"))
    with pytest.raises(ReviewNotAssigned):
        coder_decisions.assign(item, "api_key:other")
    assert coder_decisions.assign(item, "api_key:other", reassign=True) and item.assigned_to == "api_key:other"


def resolve_all(item: ReviewItem) -> None:
    decide(item, "accept", code="E11.65")
    decide(item, "remove", code="E78.5")
    decide(item, "override", "procedure", line_number=1, new_code="99213")


def test_resolve_needs_every_flagged_code_decided():
    item = review()
    decide(item, "accept", code="E11.65")
    with pytest.raises(UndecidedCodes, match="E78.5, line 1 99214"):
        coder_decisions.resolve(item, CODER, [])


def test_resolve_refuses_unacknowledged_error_edits_and_accepts_acknowledged_ones():
    item = review()
    resolve_all(item)
    edits = [Finding("NCCI-PTP", "error", "pair", codes=("99213",)), Finding("W", "warning", "fine")]
    with pytest.raises(EditsStillFire) as refused:
        coder_decisions.resolve(item, CODER, edits)
    assert refused.value.edit_ids == ["NCCI-PTP"]
    final = coder_decisions.resolve(item, CODER, edits, acknowledged=["NCCI-PTP"])
    assert final.service_lines[0].procedure_code == "99213" and item.status == "resolved"
    diagnoses, lines = coder_decisions.resolved_codes(item, edits)
    assert [(d.code, d.source, d.pointer) for d in diagnoses] == [("E11.65", "pms", 1), ("I10", "pms", 2)]
    assert [(line.code, line.source, line.edits) for line in lines] == [("99213", "coder", ("NCCI-PTP",)),
                                                                       ("83036", "pms", ())]
    with pytest.raises(ReviewClosed):
        decide(item, "accept", code="I10")


def test_a_reopened_claim_puts_every_code_up_for_decision():
    coded = encounter()
    item = reopen_review("r-2", "c-1", "t-1", "denial", coded, ["COD-DENIAL: wrong code"], 2, {"I10": "coder"})
    assert item.undecided() == ["E11.65", "I10", "line 1 99214", "line 2 83036"]
    assert item.diagnoses[1].source == "coder" and item.final_encounter() == coded
