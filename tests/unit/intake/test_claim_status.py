"""How lifecycle events move a claim's status, and what its timeline shows of them."""

from __future__ import annotations

import pytest

from services.intake.domain.status import status_after, timeline_summary


@pytest.mark.parametrize(("event_type", "data", "expected"), [
    ("claim.submitted", {"frequency_code": "1"}, "submitted"),
    ("claim.submitted", {"frequency_code": "7"}, "resubmitted"),
    ("claim.submitted", {"frequency_code": "8"}, "resubmitted"),
    ("claim.remittance_posted", {"claim_status": "paid"}, "paid"),
    ("claim.remittance_posted", {"claim_status": "reversed"}, None),
    ("claim.appeal_reopened", {"status": "sent"}, "appealed"),
    ("claim.appeal_reopened", {"status": "partially_won"}, None),
    ("claim.denial_recorded", {}, "denied"),
    ("claim.scrubber_edit_retired", {"edit_id": "SCR-LRN-001"}, None),
    ("claim.appeal_deadline_approaching", {}, None),
])
def test_status_after(event_type: str, data: dict, expected: str | None) -> None:
    assert status_after(event_type, data) == expected


def test_a_reopened_appeal_shows_what_was_taken_back() -> None:
    data = {"appeal_id": "a1", "denial_id": "d1", "status": "sent", "reversed_amount": "181.60",
            "overturned_amount": "0.00", "era_id": "e2", "unlisted": "x"}
    assert timeline_summary("claim.appeal_reopened", data) == {k: v for k, v in data.items() if k != "unlisted"}


def test_a_retired_edit_shows_who_retired_it_but_not_the_typed_reason() -> None:
    data = {"edit_id": "SCR-LRN-001", "proposal_id": "p1", "retired_by": "billing lead",
            "reason": "payer changed policy"}
    assert timeline_summary("claim.scrubber_edit_retired", data) == {
        "edit_id": "SCR-LRN-001", "proposal_id": "p1", "retired_by": "billing lead"}
