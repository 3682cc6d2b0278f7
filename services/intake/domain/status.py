"""The claim status vocabulary and how each lifecycle event moves a claim's status.

Statuses: received, coding_review, coded, needs_correction, submitted, accepted, rejected,
paid, partially_paid, denied, appealed, resubmitted, closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

STATUSES = ("received", "coding_review", "coded", "needs_correction", "submitted", "accepted", "rejected",
            "paid", "partially_paid", "denied", "appealed", "resubmitted", "closed")

_STATUS_BY_EVENT = {
    "claim.received": "received",
    "claim.coding_review_required": "coding_review",
    "claim.coded": "coded",
    "claim.scrub_failed": "needs_correction",
    "claim.accepted": "accepted",
    "claim.rejected": "rejected",
    "claim.denial_recorded": "denied",
    "claim.appealed": "appealed",
    "claim.closed": "closed",
}


def status_after(event_type: str, data: dict[str, Any]) -> str | None:
    """The status a claim has after this event, or None when the event does not change it."""
    if event_type == "claim.submitted":
        return "resubmitted" if data.get("frequency_code") in {"7", "8"} else "submitted"
    if event_type == "claim.remittance_posted":
        status = data.get("claim_status")
        return None if status == "reversed" else status
    if event_type == "claim.appeal_reopened":
        # The payment that won the appeal was taken back: the appeal awaits the payer again.
        return "appealed" if data.get("status") == "sent" else None
    return _STATUS_BY_EVENT.get(event_type)


def supersedes(current_at: dt.datetime, event_at: dt.datetime) -> bool:
    """Events from different topics can arrive out of order; the later event decides the status."""
    return event_at >= current_at


_SUMMARY_FIELDS = {
    "claim.received": ("external_id",),
    "claim.coded": ("diagnoses", "procedures"),
    "claim.coding_review_required": ("reasons",),
    "claim.scrub_failed": ("edits",),
    "claim.submitted": ("submission_id", "claim_version", "frequency_code", "payer_id",
                        "interchange_control_number", "total_charge"),
    "claim.accepted": ("submission_id", "payer_claim_control_number", "status_category", "status_code"),
    "claim.rejected": ("submission_id", "stage", "status_category", "status_code", "reason"),
    "claim.remittance_posted": ("era_id", "claim_status", "billed", "paid", "patient_responsibility",
                                "payer_claim_control_number"),
    "claim.denial_recorded": ("denial_id", "category", "reason_codes", "remark_codes", "denied_amount"),
    # A coder's typed reasons stay in coding; the practice's own correction reason is shown to it.
    "claim.coding_review_assigned": ("review_id", "assigned_to"),
    "claim.coding_decision_recorded": ("review_id", "decided_by", "action", "kind", "code", "new_code",
                                       "line_number"),
    "claim.encounter_corrected": ("reason",),
    "claim.correction_requested": ("denial_id", "route", "reason_codes"),
    "claim.secondary_billing_ready": ("era_id", "prior_payer_id", "paid_total", "next_payer_priority"),
    "claim.appealed": ("appeal_id", "denial_id", "level", "deadline", "appealed_amount", "sent_past_deadline"),
    "claim.appeal_decided": ("appeal_id", "denial_id", "outcome", "overturned_amount"),
    "claim.appeal_deadline_approaching": ("denial_id", "appeal_id", "level", "deadline", "days_left"),
    "claim.closed": ("denial_id", "write_off_id", "reason_code", "amount"),
    "claim.scrubber_edit_accepted": ("edit_id", "proposal_id", "reason_code", "category"),
    "claim.appeal_reopened": ("appeal_id", "denial_id", "status", "reversed_amount", "overturned_amount", "era_id"),
    # The retirement's typed reason stays in denials, like a coder's.
    "claim.scrubber_edit_retired": ("edit_id", "proposal_id", "retired_by"),
}


def timeline_summary(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The non-PHI facts of an event worth showing on a timeline."""
    fields = _SUMMARY_FIELDS.get(event_type, ())
    return {name: data[name] for name in fields if name in data}
