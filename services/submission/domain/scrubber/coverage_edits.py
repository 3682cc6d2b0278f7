"""Edits on the coverages: payer responsibility order and the payer's timely filing window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from services.submission.domain.scrubber.claim_document import ClaimDocument, as_date, items, value_at
from services.submission.domain.scrubber.context import PayerSettings, ScrubContext
from services.submission.domain.scrubber.library import Edit

SINCE = dt.date(2026, 1, 1)


def _not_one_primary(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    primaries = [index for index, coverage in items(claim, "coverages") if value_at(coverage, "priority") == "primary"]
    if len(primaries) != 1:
        yield "/coverages"


def _repeated_responsibility_level(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    seen: set[object] = set()
    for index, coverage in items(claim, "coverages"):
        priority = value_at(coverage, "priority")
        if priority in seen:
            yield f"/coverages/{index}/priority"
        seen.add(priority)


def _earliest_service_date(claim: ClaimDocument) -> tuple[dt.date, str] | None:
    dates = [(as_date(value_at(claim, "date_of_service")), "/date_of_service")]
    dates += [(as_date(value_at(line, "date_of_service")), f"/service_lines/{index}/date_of_service")
              for index, line in items(claim, "service_lines")]
    known = [(date, pointer) for date, pointer in dates if date is not None]
    return min(known, key=lambda known_date: known_date[0]) if known else None


def _filing_window(claim: ClaimDocument, context: ScrubContext) -> tuple[dt.date, PayerSettings, str] | None:
    """(the day the window closes, the payer's settings, the pointer of the date it counts from)."""
    billed = next((coverage for _index, coverage in items(claim, "coverages")
                   if value_at(coverage, "priority") == context.billed_priority), None)
    settings = context.payer_settings.for_payer(value_at(billed, "payer", "payer_id"))
    if context.billed_priority != "primary" and context.primary_paid_on is not None:
        # A secondary payer's window runs from the primary's adjudication, which is not in the encounter.
        return context.primary_paid_on + dt.timedelta(days=settings.timely_filing_days), settings, "/coverages"
    earliest = _earliest_service_date(claim)
    if earliest is None:
        return None
    start, pointer = earliest
    return start + dt.timedelta(days=settings.timely_filing_days), settings, pointer


def _past_timely_filing(claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    window = _filing_window(claim, context)
    if window is not None and context.today > window[0]:
        yield window[2]


def _near_timely_filing(claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    window = _filing_window(claim, context)
    if window is not None and 0 <= (window[0] - context.today).days <= window[1].timely_filing_warning_days:
        yield window[2]


EDITS = (
    Edit("SCR-COV-001", "error", "The claim does not have exactly one primary coverage.",
         "Mark one coverage as primary and order the others as secondary and tertiary.",
         "/coverages", SINCE, None, _not_one_primary),
    Edit("SCR-COV-002", "error", "Two coverages share the same payer responsibility level.",
         "Give each coverage its own level: one primary, at most one secondary, at most one tertiary.",
         "/coverages/*/priority", SINCE, None, _repeated_responsibility_level),
    Edit("SCR-TFL-001", "error", "The payer's timely filing limit has passed for this date of service.",
         "Send proof of timely filing or an appeal to the payer; the claim cannot be submitted as is.",
         "/date_of_service", SINCE, None, _past_timely_filing),
    Edit("SCR-TFL-002", "warning", "The payer's timely filing limit is close for this date of service.",
         "Submit this claim promptly; corrections after the limit will be refused.",
         "/date_of_service", SINCE, None, _near_timely_filing),
)
