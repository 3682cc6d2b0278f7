"""claim.coded v2 and claim.coding_review_required v2: v1 events are upcast, v2 round-trips."""

from __future__ import annotations

from shared.events.claim_events import ClaimCoded, ClaimCodingReviewRequired, CodeDecision
from shared.events.coding_events import ClaimCodedV2, ClaimCodingReviewRequiredV2
from shared.events.registry import CONTRACTS
from shared.messaging.outbox import envelope_for
from tests.unit.coding.fake_engines import encounter


def _decode(event):
    return CONTRACTS.decode(envelope_for(event, source="test", claim_id="c-1", tenant_id="t-1"))


def test_a_v1_claim_coded_is_upcast_with_pointers_lines_and_no_evidence():
    v1 = ClaimCoded(encounter=encounter(), diagnoses=[CodeDecision(code="E11.65", source="pms"),
                                                      CodeDecision(code="I10", source="pms")],
                    procedures=[CodeDecision(code="99214", source="pms"), CodeDecision(code="83036", source="pms")])
    decoded = _decode(v1)
    assert isinstance(decoded, ClaimCodedV2) and decoded.encounter == v1.encounter
    assert [(d.code, d.pointer, d.evidence) for d in decoded.diagnoses] == [("E11.65", 1, []), ("I10", 2, [])]
    assert [(p.line_number, p.code, p.modifiers, p.diagnosis_pointers) for p in decoded.procedures] == [
        (1, "99214", ["25"], [1, 2]), (2, "83036", [], [1])]
    assert decoded.coding_round == 1 and decoded.edits == []


def test_a_v1_review_required_is_upcast_without_a_review_id():
    decoded = _decode(ClaimCodingReviewRequired(reasons=["COD-X: y"]))
    assert isinstance(decoded, ClaimCodingReviewRequiredV2)
    assert (decoded.reasons, decoded.review_id, decoded.trigger) == (["COD-X: y"], None, "coding")


def test_the_current_versions_are_the_v2_contracts():
    assert CONTRACTS.current["claim.coded"] is ClaimCodedV2
    assert CONTRACTS.current["claim.coding_review_required"] is ClaimCodingReviewRequiredV2
