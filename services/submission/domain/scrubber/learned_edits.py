"""Learned edits: pre-submission edits a tenant accepted from denials' proposals (recurring preventable denials).

Each fires on a claim billed (at the coverage it bills) to the edit's payer with a line of the edit's procedure
code, when the claim lacks what the payer asked for: a prior authorization, a modifier on that line, or (for
`nothing`) always, so a person checks the claim against the payer's rule before it goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from services.submission.domain.scrubber.claim_document import ClaimDocument, blank, items, value_at
from services.submission.domain.scrubber.context import ScrubContext
from services.submission.domain.scrubber.library import Edit, EditLibrary

LEARNED_SINCE = dt.date(2000, 1, 1)  # in effect from acceptance: the table row exists only once accepted


def _billed_payer(claim: ClaimDocument, context: ScrubContext) -> Any:
    for _index, coverage in items(claim, "coverages"):
        if value_at(coverage, "priority") == context.billed_priority:
            return value_at(coverage, "payer", "payer_id")
    return None


def _learned_check(condition: Mapping[str, str], claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    if _billed_payer(claim, context) != condition["payer_id"]:
        return
    requires = condition["requires"]
    for index, line in items(claim, "service_lines"):
        if value_at(line, "procedure_code") != condition["procedure_code"]:
            continue
        if requires == "prior_authorization" and blank(value_at(claim, "prior_authorization")):
            yield "/prior_authorization"
        elif requires == "modifier" and not value_at(line, "modifiers"):
            yield f"/service_lines/{index}/modifiers"
        elif requires == "nothing":
            yield f"/service_lines/{index}/procedure_code"


def learned_edit(row: Mapping[str, Any]) -> Edit:
    """An accepted proposal as a scrubber edit (row: edit_id, message, fix_hint, condition)."""
    condition = row["condition"]
    pointer = {"prior_authorization": "/prior_authorization", "modifier": "/service_lines/*/modifiers"}.get(
        condition["requires"], "/service_lines/*/procedure_code")
    return Edit(row["edit_id"], "error", row["message"], row["fix_hint"], pointer, LEARNED_SINCE, None,
                partial(_learned_check, condition))


def learned_library(version: str, rows: Iterable[Mapping[str, Any]]) -> EditLibrary:
    """The tenant's learned edits as a library of their own (ids never clash with the bundled SCR-LRN-free ones)."""
    return EditLibrary(f"{version}+learned", tuple(learned_edit(row) for row in rows))
