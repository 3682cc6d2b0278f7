"""Plain-language reasons for what a 999 or a 277CA/277 says, built from codes and positions only.

A 999's IK404 echoes the bad value, which may be patient data: reasons never include it. A 277's
STC12 free text is the payer's and may carry anything, so it is left out too.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.submission.domain.ack_999 import ElementError, SegmentError, TransactionSetAcknowledgement
from services.submission.domain.claim_acknowledgement import ClaimStatus

# IK304 implementation segment syntax error codes.
SEGMENT_ERRORS = {
    "1": "unrecognized segment id",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over the maximum times",
    "5": "segment exceeds its maximum use",
    "6": "segment not in the defined transaction set",
    "7": "segment not in the proper sequence",
    "8": "segment has data element errors",
    "I4": "segment the implementation guide marks 'not used' is present",
    "I6": "implementation-dependent segment missing",
    "I7": "implementation loop occurs under the minimum times",
    "I8": "implementation segment below its minimum use",
    "I9": "implementation-dependent 'not used' segment present",
}
# IK403 implementation data element syntax error codes.
ELEMENT_ERRORS = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in this implementation",
    "I9": "implementation-dependent data element missing",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation-dependent 'not used' data element present",
}
# IK502-IK506 transaction set syntax error codes.
TRANSACTION_SET_ERRORS = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "transaction set control number in header and trailer do not match",
    "4": "number of included segments does not match the actual count",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "18": "transaction set not in functional group",
    "19": "invalid transaction set implementation convention reference",
    "23": "transaction set control number not unique within the functional group",
    "I5": "implementation: one or more segments in error",
    "I6": "implementation convention not supported",
}
ACK_CODES = {"A": "accepted", "E": "accepted with errors", "M": "rejected, message authentication failed",
             "P": "partially accepted", "R": "rejected", "W": "rejected, assurance failed",
             "X": "rejected, content could not be analysed"}

# Claim status category codes (code source 507).
STATUS_CATEGORIES = {
    "A0": "forwarded to another entity",
    "A1": "received, not yet accepted for adjudication",
    "A2": "accepted into the adjudication system",
    "A3": "returned as unprocessable",
    "A4": "not found in the adjudication system",
    "A5": "split upon acceptance",
    "A6": "rejected for missing information",
    "A7": "rejected for invalid information",
    "A8": "rejected for a relational field in error",
    "P0": "pending: adjudication details",
    "P1": "pending: in process",
    "P2": "pending: in review",
    "P3": "pending: information requested",
    "P4": "pending: patient requested information",
    "F0": "finalized",
    "F1": "finalized: payment",
    "F2": "finalized: denial",
    "F3": "finalized: revised",
    "F4": "finalized: adjudication complete, no payment forthcoming",
    "R0": "requests additional information: general",
    "E0": "response not possible: error on the submitted request",
    "E1": "response not possible: system status",
    "D0": "data search unsuccessful",
}
# The claim status codes (code source 508) payers send most; others are shown by number.
STATUS_CODES = {
    "0": "cannot provide further status electronically",
    "1": "for more detailed information, see the remittance advice",
    "3": "claim adjudicated and awaiting the payment cycle",
    "19": "entity acknowledges receipt of the claim",
    "20": "accepted for processing",
    "21": "missing or invalid information",
    "26": "entity not found",
    "33": "subscriber and subscriber id not found",
    "35": "claim not found",
    "65": "claim has been paid",
    "116": "claim submitted to the incorrect payer",
    "128": "entity's tax id",
    "145": "entity's primary identifier",
    "164": "entity's contract/member number",
    "187": "date(s) of service",
    "247": "line information",
    "400": "claim is out of balance",
    "454": "procedure code for services rendered",
    "464": "payer assigned claim control number",
    "479": "previous payment information",
    "481": "claim or line submitted as a duplicate",
    "562": "entity's national provider identifier (NPI)",
}
ENTITIES = {
    "03": "dependent", "1P": "provider", "40": "receiver", "41": "submitter", "71": "attending provider",
    "77": "service location", "82": "rendering provider", "85": "billing provider", "87": "pay-to provider",
    "DK": "ordering provider", "DN": "referring provider", "IL": "subscriber", "PR": "payer", "QC": "patient",
}


def _named(table: dict[str, str], code: str, kind: str) -> str:
    return table.get(code, f"{kind} {code}")


def element_reason(error: ElementError) -> str:
    """One IK4 as words: position and code, never the bad value it may echo."""
    where = f"element {error.element_position:02d}"
    if error.component_position is not None:
        where += f"-{error.component_position}"
    if error.data_element_reference:
        where += f" (data element {error.data_element_reference})"
    return f"{where}: {_named(ELEMENT_ERRORS, error.error_code, 'element error')}"


def segment_reason(error: SegmentError) -> str:
    """One IK3 with its IK4s as words: the segment, its position and loop, and what was wrong."""
    where = f"{error.segment_id} segment at position {error.position}"
    if error.loop_id:
        where += f" in loop {error.loop_id}"
    what = [_named(SEGMENT_ERRORS, error.error_code, "segment error")] if error.error_code else []
    what += [element_reason(e) for e in error.element_errors]
    return f"{where}: {'; '.join(what) or 'in error'}"


@dataclass(frozen=True, slots=True)
class TransactionSetVerdict:
    """What a 999 says about one of our transaction sets, ready to store and show."""

    control_number: str
    status: str  # IK501
    accepted: bool
    reasons: tuple[str, ...]  # the errors (for a rejection) or warnings (accepted with errors)

    def as_json(self) -> dict[str, object]:
        """The stored and displayed form (codes and positions only)."""
        return {"control_number": self.control_number, "status": self.status,
                "meaning": _named(ACK_CODES, self.status, "status"), "accepted": self.accepted,
                "reasons": list(self.reasons)}


def transaction_set_verdict(ack: TransactionSetAcknowledgement) -> TransactionSetVerdict:
    """The verdict and plain-language reasons for one AK2...IK5 loop."""
    reasons = [segment_reason(e) for e in ack.segment_errors]
    reasons += [f"transaction set: {_named(TRANSACTION_SET_ERRORS, c, 'error')}" for c in ack.error_codes
                if not (c in ("5", "I5") and ack.segment_errors)]  # "segments in error" adds nothing to them
    return TransactionSetVerdict(ack.control_number, ack.status, ack.accepted, tuple(reasons))


def status_reason(status: ClaimStatus) -> str:
    """One STC composite as words, e.g. 'A7 rejected for invalid information: 562 entity's NPI (billing
    provider)'."""
    text = (f"{status.category_code} {_named(STATUS_CATEGORIES, status.category_code, 'category')}: "
            f"{status.status_code} {_named(STATUS_CODES, status.status_code, 'status code')}")
    if status.entity_code:
        text += f" ({_named(ENTITIES, status.entity_code, 'entity')})"
    return text


def claim_status_reason(statuses: tuple[ClaimStatus, ...]) -> str:
    """Every claim-level status composite as words; the rejecting ones first, since they are the cause."""
    ordered = sorted(statuses, key=lambda s: not s.rejected)
    return "; ".join(dict.fromkeys(status_reason(s) for s in ordered))
