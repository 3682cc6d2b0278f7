"""Deadline alerts forwarded to practice systems by intake's outbound webhooks (ids, dates, counts; no PHI)."""

import datetime as dt

from services.intake.domain.outbound_webhooks import EVENT_TYPES, forwarded_event_payload
from shared.events.denial_events import ClaimAppealDeadlineApproaching

T = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def test_the_alert_is_a_subscribable_event_type() -> None:
    assert ClaimAppealDeadlineApproaching.event_type in EVENT_TYPES


def test_the_alert_payload_carries_only_the_listed_fields() -> None:
    data = ClaimAppealDeadlineApproaching(denial_id="d1", level="first", deadline=dt.date(2026, 5, 10),
                                          days_left=9).model_dump(mode="json") | {"patient": "not forwarded"}
    payload = forwarded_event_payload(ClaimAppealDeadlineApproaching.event_type, "c1", "e1", T, data, T)
    assert payload["type"] == "claim.appeal_deadline_approaching"
    assert payload["data"] == {"claim_id": "c1", "event_id": "e1", "occurred_at": T.isoformat(), "denial_id": "d1",
                               "appeal_id": None, "level": "first", "deadline": "2026-05-10", "days_left": 9}
