"""The rules the coding decision applies on top of the edits: note evidence, E/M level, bad input.

Each rule has an id, a severity and a plain-language message; an error sends the claim to a coder,
a warning is shown beside the codes. Messages name codes and lines, never note text (PHI).
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "claimline coding decision"


@dataclass(frozen=True)
class Finding:
    """An edit or decision rule that fired on the claim."""

    edit_id: str
    severity: str  # error, warning
    message: str
    source: str = SOURCE
    codes: tuple[str, ...] = ()
    line_numbers: tuple[int, ...] = ()

    @property
    def blocks(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class DecisionRule:
    edit_id: str
    severity: str
    message: str
    source: str = SOURCE


RULES = {rule.edit_id: rule for rule in (
    DecisionRule("COD-NOTE-MISSING", "warning",
                 "no clinical note came with the encounter: the codes are billed as the practice sent them, "
                 "checked by the edits but not against documentation"),
    DecisionRule("COD-NOTE-NOT-READ", "warning",
                 "no note reader is loaded in this deployment: the codes are checked by the edits only"),
    DecisionRule("COD-NOTE-UNREADABLE", "error", "the clinical note cannot be read: {problem}"),
    DecisionRule("COD-DX-UNSUPPORTED", "error", "the note gives no evidence for diagnosis {code}"),
    DecisionRule("COD-DX-NOT-COVERED", "warning",
                 "the note reader has no vocabulary for diagnosis {code}: it is billed as sent, checked by the edits"),
    DecisionRule("COD-DX-SPECIFICITY", "error",
                 "the note supports {suggested} rather than {code} in the same category"),
    DecisionRule("COD-DX-SUGGESTED", "warning",
                 "diagnosis {code} was added from the note (confidence {confidence})"),
    DecisionRule("COD-DX-SUGGESTED-LOW", "error",
                 "the note may support diagnosis {code} (confidence {confidence}); a coder decides"),
    DecisionRule("COD-DX-LIMIT", "error", "diagnosis {code} from the note does not fit: a claim holds 12 diagnoses"),
    DecisionRule("COD-EM-OVERCODED", "error", "line {line}: {code} billed, the note supports {supported}: {reason}"),
    # Undercoding is revenue left behind, not a compliance risk: a warning unless the tenant's policy holds it.
    DecisionRule("COD-EM-UNDERCODED", "warning",
                 "line {line}: {code} billed, the note supports {supported}: {reason}"),
    DecisionRule("COD-EM-NOT-ASSESSABLE", "warning",
                 "line {line}: the note does not document enough to check the level of {code}: {reason}"),
    DecisionRule("COD-CODESET-MISSING", "error",
                 "no code set is loaded for the date of service {date}: the codes cannot be checked"),
    DecisionRule("COD-ENGINE-FAILED", "error",
                 "automatic coding could not run ({part}: {error}); a coder must code this claim"),
    DecisionRule("COD-DENIAL", "error", "the payer's denial sent the codes back: {reason}"),
)}


def finding(edit_id: str, codes: tuple[str, ...] = (), line_numbers: tuple[int, ...] = (),
            **values: object) -> Finding:
    """The rule's finding with its message filled in."""
    rule = RULES[edit_id]
    return Finding(edit_id, rule.severity, rule.message.format(**values), rule.source, codes, line_numbers)
