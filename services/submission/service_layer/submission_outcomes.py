"""What the clearinghouse made of claim versions (sent, refused, acknowledged), gathered for a whole batch or
acknowledgement file and written with one statement per table.

Submissions are read locked by the caller; each outcome changes the in-memory state of its row, so several
outcomes for one version (its receipt proven by an ack, then the ack's verdict) end as one row write. Each
event continues the trace of its own claim (the traceparent stored with the version), never the batch's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.claim_version_sets import ClaimVersionSetStore, SubmissionState
from services.submission.adapters.repository import TOPIC
from services.submission.adapters.tables import messaging
from services.submission.service_layer.handlers import _envelope, submitted_event_from
from shared.events.claim_events import ClaimEvent, ClaimRejected
from shared.messaging.outbox import PendingEvent, append_events

Row = dict[str, Any]
KEEP = object()  # a billing claim's payer claim control number is left as it is


class SubmissionOutcomes:
    """Outcomes of a set of submissions, and of their claims, in the order they happened."""

    def __init__(self) -> None:
        self.states: dict[str, SubmissionState] = {}
        self.claims: dict[str, tuple[str, object]] = {}  # claim id -> (status, payer claim control number | KEEP)
        self._events: list[tuple[Row, ClaimEvent | None]] = []  # None: claim.submitted for the row

    def state(self, row: Row) -> SubmissionState:
        """The row's state with the outcomes gathered so far."""
        return self.states.get(row["submission_id"]) or SubmissionState.of(row)

    def change(self, row: Row, **values: Any) -> None:
        self.states[row["submission_id"]] = replace(self.state(row), **values)

    def claim(self, claim_id: str, status: str, payer_claim_control_number: object = KEEP) -> None:
        """The billing claim's status (and payer claim control number) after this outcome."""
        number = self.claims.get(claim_id, (status, KEEP))[1]
        self.claims[claim_id] = (status, number if payer_claim_control_number is KEEP else payer_claim_control_number)

    def event(self, row: Row, event: ClaimEvent) -> None:
        self._events.append((row, event))

    def sent(self, row: Row, attempts: int, now: dt.datetime) -> None:
        """The version reached the clearinghouse: sent, its claim submitted, claim.submitted on its history."""
        self.change(row, status="sent", send_attempts=attempts, sent_at=now, last_error=None)
        self.claim(row["claim_id"], "submitted")
        self._events.append((row, None))

    def refused(self, row: Row, attempts: int, reason: str) -> None:
        """The clearinghouse refused the batch that carried the version."""
        self.change(row, status="refused", send_attempts=attempts, last_error=reason)
        self.claim(row["claim_id"], "rejected")
        self.event(row, ClaimRejected(submission_id=row["submission_id"], stage="999", status_category="R",
                                      status_code="refused", reason=reason))

    async def write(self, session: AsyncSession) -> None:
        """Submissions, billing claims and events: one statement each."""
        store = ClaimVersionSetStore(session)
        await store.write_submission_states(list(self.states.values()))
        await store.set_claim_statuses([(claim_id, status, number is not KEEP, None if number is KEEP else number)
                                        for claim_id, (status, number) in self.claims.items()])
        # A version stored before versions kept their own encounter bills the claim's.
        missing = {row["claim_id"] for row, event in self._events if event is None and not row.get("encounter")}
        encounters = await store.billed_encounters(missing)
        await append_events(session, messaging, [
            PendingEvent(TOPIC, _envelope(event if event is not None else submitted_event_from(
                row, row.get("encounter") or encounters[row["claim_id"]]), row), row.get("traceparent"))
            for row, event in self._events])
