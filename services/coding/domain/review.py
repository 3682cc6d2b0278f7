"""First-pass coding review: accept the practice's codes when they are well-formed and consistent.

The structural rules (formats, pointer ranges, duplicates) are already enforced by the Encounter
contract at intake; this pass re-checks what could still be wrong for billing and decides between
`claim.coded` and `claim.coding_review_required`.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.encounter import Encounter
from shared.events.claim_events import ClaimCoded, ClaimCodingReviewRequired, CodeDecision

# ICD-10-CM chapters V00-Y99 (external causes) may never be the first-listed diagnosis.
EXTERNAL_CAUSE_PREFIXES = ("V", "W", "X", "Y")


@dataclass(frozen=True)
class CodingFinding:
    edit_id: str
    severity: str
    message: str


def review_encounter(encounter: Encounter) -> list[CodingFinding]:
    """Findings that block automatic coding (empty when the claim can go straight on)."""
    findings = []
    first = encounter.diagnoses[0].upper()
    if first.startswith(EXTERNAL_CAUSE_PREFIXES):
        findings.append(CodingFinding("COD-EXTCAUSE-FIRST", "error",
                                      "an external-cause code cannot be the first-listed diagnosis"))
    if len(first.replace(".", "")) >= 7 and first.replace(".", "")[6] == "S":
        findings.append(CodingFinding("COD-SEQUELA-FIRST", "error",
                                      "a sequela (7th character S) code cannot be the first-listed diagnosis"))
    used = {pointer for line in encounter.service_lines for pointer in line.diagnosis_pointers}
    unused = [index + 1 for index in range(len(encounter.diagnoses)) if index + 1 not in used]
    if unused:
        findings.append(CodingFinding("COD-DX-UNUSED", "warning",
                                      f"diagnoses {unused} are not pointed to by any service line"))
    return findings


def coding_outcome(encounter: Encounter) -> tuple[ClaimCoded | ClaimCodingReviewRequired, list[CodingFinding]]:
    """The event coding emits for this encounter and the findings behind it."""
    findings = review_encounter(encounter)
    blocking = [f for f in findings if f.severity == "error"]
    if blocking:
        return ClaimCodingReviewRequired(reasons=[f"{f.edit_id}: {f.message}" for f in blocking]), findings
    return ClaimCoded(
        encounter=encounter,
        diagnoses=[CodeDecision(code=code, source="pms") for code in encounter.diagnoses],
        procedures=[CodeDecision(code=line.procedure_code, source="pms") for line in encounter.service_lines],
    ), findings
