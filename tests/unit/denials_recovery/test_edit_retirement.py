"""Retiring a learned edit: which proposals can be retired, and the contract that tells submission."""

import pytest

from services.denials.domain.scrubber_proposals import EditNotRetirable, needs_retiring
from shared.events.denial_events import ClaimScrubberEditRetired
from shared.events.registry import CONTRACTS
from shared.messaging.outbox import envelope_for


@pytest.mark.parametrize(("status", "retire"), [("accepted", True), ("retired", False)])
def test_an_accepted_edit_is_retired_and_a_retired_one_is_left_alone(status, retire) -> None:
    assert needs_retiring(status) is retire


@pytest.mark.parametrize("status", ["proposed", "rejected"])
def test_an_edit_never_accepted_cannot_be_retired(status) -> None:
    with pytest.raises(EditNotRetirable) as refused:
        needs_retiring(status)
    assert refused.value.status == 409 and status in refused.value.detail


def test_the_retirement_contract_travels_through_the_registry() -> None:
    event = ClaimScrubberEditRetired(edit_id="SCR-LRN-001", proposal_id="7d3c0f9e-1d61-4e0a-9d0e-3f1a2b4c5d6e",
                                     reason="payer dropped the requirement", retired_by="dana")
    envelope = envelope_for(event, source="denials", claim_id="0aeb9f4b-dac4-4d31-be8c-4b904657df7e",
                            tenant_id="t1")
    assert envelope.type == "claim.scrubber_edit_retired"
    assert CONTRACTS.decode(envelope) == event
