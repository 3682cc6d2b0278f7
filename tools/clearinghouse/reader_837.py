"""Read the claims of one 837P/837I transaction set (the segments between ST and SE).

Only what the simulator answers with is read: billing provider, subscriber, payer, patient,
CLM, REF*F8/G1 and the 2400 lines. Loops of other payers (2320/2330) are skipped so their
NM1*PR and REF*G1 are not mistaken for the claim's own.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from decimal import Decimal

from shared.x12.tokenizer import element
from tools.clearinghouse.claims import (
    BillingProvider,
    PersonName,
    ServiceLine,
    SubmittedClaim,
    TransactionSet,
)
from tools.clearinghouse.problems import SegmentError, SegmentProblem

X12_DECIMAL = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
MISSING, INVALID_CHARACTER = "1", "6"
SEGMENT_MISSING, SEGMENT_HAS_ELEMENT_ERRORS = "3", "8"


@dataclass
class _ClaimDraft:
    position: int
    fields: dict[str, object]
    lines: list[ServiceLine] = field(default_factory=list)
    line_fields: dict[str, object] | None = None
    line_position: int = 0
    in_other_payer_loop: bool = False


class _TransactionSetReader:
    def __init__(self, control_number: str, component: str, institutional: bool):
        self.control_number = control_number
        self.component = component
        self.institutional = institutional
        self.batch_id = ""
        self.submitter = ("", "")
        self.billing: BillingProvider | None = None
        self.subscriber: PersonName | None = None
        self.member_id = ""
        self.payer: tuple[str, str] | None = None
        self.filing_indicator = ""
        self.patient: PersonName | None = None
        self.last_entity = ""
        self.claim: _ClaimDraft | None = None
        self.claims: list[SubmittedClaim] = []

    def read(self, segments: list[list[str]]) -> TransactionSet:
        """The transaction set's claims; raises SegmentProblem naming the claim in error."""
        # positions count from ST = 1, so the first segment after ST is 2
        segment: list[str] = ["SE"]
        try:
            for position, segment in enumerate(segments, start=2):
                self._segment(position, segment)
            self._finish_claim(len(segments) + 2)
        except SegmentProblem as problem:
            raise self._with_claim(problem, segment) from None
        return TransactionSet(
            control_number=self.control_number,
            submitter_name=self.submitter[0],
            submitter_id=self.submitter[1],
            batch_id=self.batch_id,
            claims=tuple(self.claims),
        )

    def _with_claim(self, problem: SegmentProblem, segment: list[str]) -> SegmentProblem:
        """The problem naming the claim (CLM01) it is in, so the 999 can point at it."""
        if self.claim is not None:
            claim_id = str(self.claim.fields["patient_control_number"])
        else:
            claim_id = element(segment, 1) if segment[0] == "CLM" else ""
        return SegmentProblem(problem.detail, dataclasses.replace(problem.error, claim_id=claim_id or None))

    def _segment(self, position: int, segment: list[str]) -> None:
        sid = segment[0]
        if sid == "BHT":
            self.batch_id = element(segment, 3)
        elif sid == "HL":
            self._finish_claim(position)
            level = element(segment, 3)
            if level == "20":
                self.billing, self.subscriber, self.payer, self.patient = None, None, None, None
            elif level == "22":
                self.subscriber, self.payer, self.patient, self.filing_indicator = None, None, None, ""
        elif sid == "CLM":
            self._finish_claim(position)
            self._start_claim(position, segment)
        elif self.claim is None:
            self._outside_claim(segment)
        else:
            self._inside_claim(position, segment, self.claim)

    def _outside_claim(self, segment: list[str]) -> None:
        sid, qualifier = segment[0], element(segment, 1)
        if sid == "NM1":
            self.last_entity = qualifier  # REF*EI belongs to the billing provider only after NM1*85
        if sid == "NM1" and qualifier == "41":
            self.submitter = (element(segment, 3), element(segment, 9))
        elif sid == "NM1" and qualifier == "85":
            npi = element(segment, 9) if element(segment, 8) == "XX" else ""
            self.billing = BillingProvider(name=element(segment, 3), npi=npi)
        elif sid == "REF" and qualifier == "EI" and self.last_entity == "85" and self.billing is not None:
            self.billing = BillingProvider(self.billing.name, self.billing.npi, element(segment, 2))
        elif sid == "SBR":
            self.filing_indicator = element(segment, 9)
        elif sid == "NM1" and qualifier == "IL":
            self.subscriber = PersonName(element(segment, 3), element(segment, 4))
            self.member_id = element(segment, 9)
        elif sid == "NM1" and qualifier == "PR":
            self.payer = (element(segment, 9), element(segment, 3))
        elif sid == "NM1" and qualifier == "QC":
            self.patient = PersonName(element(segment, 3), element(segment, 4))

    def _start_claim(self, position: int, segment: list[str]) -> None:
        if self.billing is None or not self.billing.npi:
            raise _missing("NM1", position, "billing provider NM1*85 with an XX NPI must come before CLM")
        if self.subscriber is None or self.payer is None or not self.payer[0]:
            raise _missing("NM1", position, "subscriber NM1*IL and payer NM1*PR must come before CLM")
        pcn = element(segment, 1)
        if not pcn:
            raise _element_error(position, "CLM", 1, MISSING, "patient control number is missing")
        location = element(segment, 5).split(self.component)
        frequency = location[2] if len(location) > 2 else ""
        if not location[0] or not frequency:
            raise _element_error(position, "CLM", 5, MISSING, "needs a facility code and a frequency code")
        fields: dict[str, object] = {
            "patient_control_number": pcn,
            "total_charge": _amount(segment, 2, position),
            "facility_code": location[0],
            "frequency_code": frequency,
        }
        self.claim = _ClaimDraft(position=position, fields=fields)

    def _inside_claim(self, position: int, segment: list[str], claim: _ClaimDraft) -> None:
        sid, qualifier = segment[0], element(segment, 1)
        if sid == "SBR":
            claim.in_other_payer_loop = True  # 2320 other subscriber: its NM1/REF are not ours
        elif sid == "LX":
            self._finish_line(claim)
            claim.in_other_payer_loop = False
            claim.line_position = position
            claim.line_fields = {"line_number": int(element(segment, 1) or len(claim.lines) + 1)}
        elif claim.line_fields is None:
            if sid == "REF" and qualifier in ("F8", "G1") and not claim.in_other_payer_loop:
                claim.fields["original_reference" if qualifier == "F8" else "prior_authorization"] = element(
                    segment, 2
                )
        elif sid in ("SV1", "SV2"):
            claim.line_fields.update(self._service(position, segment))
        elif sid == "DTP" and qualifier == "472":
            claim.line_fields["service_date"] = element(segment, 3)
        elif sid == "REF" and qualifier == "6R":
            claim.line_fields["line_control_number"] = element(segment, 2)

    def _service(self, position: int, segment: list[str]) -> dict[str, object]:
        sid = segment[0]
        if sid == "SV1":
            composite, charge_at, units_at, revenue = element(segment, 1), 2, 4, None
        else:
            composite, charge_at, units_at, revenue = element(segment, 2), 3, 5, element(segment, 1)
        parts = composite.split(self.component) if composite else []
        if sid == "SV1" and len(parts) < 2:
            raise _element_error(position, sid, 1, MISSING, "needs a qualifier and a procedure code")
        if sid == "SV2" and not revenue:
            raise _element_error(position, sid, 1, MISSING, "revenue code is missing")
        units = _amount(segment, units_at, position) if element(segment, units_at) else Decimal("1")
        return {
            "qualifier": parts[0] if parts else "NU",
            "procedure_code": parts[1] if len(parts) > 1 else revenue,
            "modifiers": tuple(m for m in parts[2:6] if m),
            "charge": _amount(segment, charge_at, position),
            "units": units,
            "revenue_code": revenue or None,
        }

    def _finish_line(self, claim: _ClaimDraft) -> None:
        if claim.line_fields is None:
            return
        if "charge" not in claim.line_fields:
            service = "SV2" if self.institutional else "SV1"
            raise _missing(service, claim.line_position, f"service line has no {service}")
        claim.lines.append(ServiceLine(**claim.line_fields))  # type: ignore[arg-type]
        claim.line_fields = None

    def _finish_claim(self, position: int) -> None:
        claim = self.claim
        if claim is None:
            return
        self._finish_line(claim)
        if not claim.lines:
            raise _missing("LX", claim.position, "claim has no service lines")
        assert self.billing is not None and self.subscriber is not None and self.payer is not None
        self.claims.append(
            SubmittedClaim(
                transaction_set_control_number=self.control_number,
                payer_id=self.payer[0],
                payer_name=self.payer[1],
                claim_filing_indicator=self.filing_indicator,
                billing_provider=self.billing,
                subscriber=self.subscriber,
                member_id=self.member_id,
                patient=self.patient or self.subscriber,
                patient_is_subscriber=self.patient is None,
                lines=tuple(claim.lines),
                institutional=self.institutional,
                **claim.fields,  # type: ignore[arg-type]
            )
        )
        self.claim = None


def read_transaction_set(
    segments: list[list[str]], control_number: str, component: str, institutional: bool
) -> TransactionSet:
    """The claims of one transaction set; segments exclude ST and SE. Raises SegmentProblem."""
    return _TransactionSetReader(control_number, component, institutional).read(segments)


def _amount(segment: list[str], position_in_segment: int, position: int) -> Decimal:
    raw = element(segment, position_in_segment)
    if not raw:
        raise _element_error(position, segment[0], position_in_segment, MISSING, "amount is missing")
    if not X12_DECIMAL.match(raw):
        raise _element_error(position, segment[0], position_in_segment, INVALID_CHARACTER, "not a number")
    return Decimal(raw)


def _element_error(position: int, sid: str, at: int, code: str, detail: str) -> SegmentProblem:
    error = SegmentError(sid, position, SEGMENT_HAS_ELEMENT_ERRORS, at, code)
    return SegmentProblem(f"{sid}{at:02d} at segment position {position}: {detail}", error)


def _missing(sid: str, position: int, detail: str) -> SegmentProblem:
    error = SegmentError(sid, position, SEGMENT_MISSING)
    return SegmentProblem(f"segment position {position}: {detail}", error)
