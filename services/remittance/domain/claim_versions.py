"""Which billed version of a claim an 835 claim payment answers (CLP01 names the claim, not the version).

Every version keeps its own lines, so a payment for version 1 arriving after version 2 was sent posts
against version 1's lines. First rule that decides wins:

1. REF*6R: the line control numbers we sent are unique per version; the version holding most of them.
2. CLP07: a payer claim control number already posted for a version answers that version again
   (a reversal, a correction of the same adjudication).
3. REF*F8: the payer's original reference names an earlier adjudication; the payment answers the first
   version sent after the version that adjudication answered (the replacement that cited it).
4. Otherwise the latest version sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.remittance.domain.era_model import ClaimPayment
from services.remittance.domain.line_matching import BilledLine

ORIGINAL_REFERENCE = "F8"


@dataclass(frozen=True, slots=True)
class BilledVersion:
    claim_version: int
    payer_id: str
    frequency_code: str | None
    lines: tuple[BilledLine, ...]


def version_answered(claim: ClaimPayment, versions: Sequence[BilledVersion],
                     posted_versions: Mapping[str, int]) -> BilledVersion:
    """The version claim answers; posted_versions maps a posted CLP07 to the version it answered."""
    if not versions:
        raise ValueError("a claim has at least one billed version")
    by_number = {v.claim_version: v for v in versions}
    sent = {line.control_number for line in claim.lines} - {None}
    hits = sorted(((sum(b.line_control_number in sent for b in v.lines), v.claim_version) for v in versions),
                  reverse=True)
    if hits[0][0]:
        return by_number[hits[0][1]]
    known = posted_versions.get(claim.payer_claim_control_number or "")
    if known in by_number:
        return by_number[known]
    original = next((r.value for r in claim.references if r.qualifier == ORIGINAL_REFERENCE), None)
    cited = posted_versions.get(original or "")
    if cited is not None:
        later = sorted(v for v in by_number if v > cited)
        if later:
            return by_number[later[0]]
    return by_number[max(by_number)]
