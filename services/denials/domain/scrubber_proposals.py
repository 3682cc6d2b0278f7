"""Feedback loop: recurring preventable denials (payer, procedure code, CARC) become a proposed scrubber edit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.denials.domain.classification import LineDenial
from shared.http.problems import Conflict

MODIFIER_CARCS = {"4", "182"}  # a modifier missing or invalid: the edit checks the line has one
PROPOSAL_STATUSES = ("proposed", "accepted", "rejected", "retired")


class EditNotRetirable(Conflict):
    """Only an accepted edit is enforced, so only an accepted edit can be retired."""

    problem_type = "edit-not-retirable"
    title = "Edit not retirable"


@dataclass(frozen=True)
class DenialPattern:
    payer_id: str
    procedure_code: str
    reason_code: str
    category: str


def patterns_in(payer_id: str, lines: Iterable[LineDenial], procedure_by_line: Mapping[str, str]
                ) -> set[DenialPattern]:
    """The (payer, procedure, CARC) of every preventable denying adjustment; a claim-level one counts for each line."""
    found = set()
    for line in lines:
        if not line.preventable:
            continue
        if line.line_control_number is not None and line.line_control_number in procedure_by_line:
            codes: Iterable[str] = [procedure_by_line[line.line_control_number]]
        else:
            codes = procedure_by_line.values()
        found |= {DenialPattern(payer_id, code, line.reason_code, line.category) for code in codes}
    return found


def proposal_id_for(tenant_id: str, pattern: DenialPattern) -> str:
    """One proposal per tenant and pattern, whatever the number of denials behind it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"scrubber-proposal:{tenant_id}:{pattern.payer_id}:"
                                              f"{pattern.procedure_code}:{pattern.reason_code}"))


def edit_id_for(sequence: int) -> str:
    """The scrubber id of the tenant's nth learned edit (SCR-LRN-001...)."""
    return f"SCR-LRN-{sequence % 1000:03d}"


def is_due(occurrences: int, threshold: int) -> bool:
    """A pattern becomes a proposal once it has recurred threshold times."""
    return occurrences >= threshold


def condition_for(pattern: DenialPattern) -> str:
    """What the edit checks besides payer and procedure: an authorization, a modifier, or nothing."""
    if pattern.category == "authorization":
        return "prior_authorization"
    if pattern.reason_code in MODIFIER_CARCS:
        return "modifier"
    return "nothing"


def edit_wording(pattern: DenialPattern, description: str) -> tuple[str, str]:
    """The edit's message and fix hint (codes only, no PHI)."""
    requires = condition_for(pattern)
    message = (f"payer {pattern.payer_id} repeatedly denied procedure {pattern.procedure_code} with CARC "
               f"{pattern.reason_code} ({description})")
    hint = {"prior_authorization": "obtain the prior authorization and put its number on the claim",
            "modifier": "add the modifier the payer requires for this procedure",
            "nothing": "review the claim against the payer's rules for this procedure before sending"}[requires]
    if requires != "nothing":
        message += f" when the claim has no {requires.replace('_', ' ')}"
    return message, hint


def needs_retiring(status: str) -> bool:
    """True to retire an accepted edit; False when it is already retired (a repeat changes nothing); else raises."""
    if status == "retired":
        return False
    if status != "accepted":
        raise EditNotRetirable(f"the proposal is {status}; only an accepted edit can be retired")
    return True
