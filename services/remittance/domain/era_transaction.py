"""The segment handlers of one 835 transaction: era_parser dispatches each segment by its id.

The loop a segment belongs to decides what it means (REF in 1000A is a payer id, in 2110 a line
reference), so the reader tracks the current loop and refuses segments where the TR3 allows none.
Order inside a loop (CAS before or after NM1) does not change meaning and is left to pyx12.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services.remittance.domain import era_elements as el
from services.remittance.domain.era_model import (
    Address,
    ClaimParty,
    ClaimPayment,
    Contact,
    Envelope,
    ParseWarning,
    Party,
    PaymentInstruction,
    ProviderAdjustment,
    ProviderSummary,
    Reference,
    RemarkCode,
    Remittance,
    ServiceLine,
    Trace,
)
from services.remittance.domain.errors import EraParseError

Segment = list[str]

HEADER, PAYER, PAYEE, DETAIL, CLAIM, LINE, FOOTER = range(7)
PRODUCTION_DATE = "405"
MIA_REMARKS = (5, 20, 21, 22, 23)
MOA_REMARKS = (3, 4, 5, 6, 7)
PLB_PAIRS = 6


def get(segment: Segment, position: int) -> str:
    """Element at position (1-based) or empty when absent."""
    return segment[position] if position < len(segment) else ""


class TransactionReader:
    """State of one pass from BPR to SE; each on_* method handles the segment id it is named after."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.loop = HEADER
        self.payment: PaymentInstruction | None = None
        self.trace: Trace | None = None
        self.production_date: dt.date | None = None
        self.references: list[Reference] = []
        self.payer: Party | None = None
        self.payee: Party | None = None
        self.summaries: list[ProviderSummary] = []
        self.claims: list[ClaimPayment] = []
        self.claim: ClaimPayment | None = None
        self.line: ServiceLine | None = None
        self.provider_adjustments: list[ProviderAdjustment] = []
        self.warnings: list[ParseWarning] = []
        self.handlers: dict[str, Callable[[Segment, int], None]] = {
            name[3:].upper(): getattr(self, name) for name in dir(self) if name.startswith("on_")
        }

    # -- header -----------------------------------------------------------------------------
    def on_bpr(self, s: Segment, i: int) -> None:
        if self.payment is not None:
            raise EraParseError("BPR may appear once, right after ST", i, "BPR")
        # BPR16 dates the money, not the adjudication: posting does not depend on it, so an unreadable
        # one (the TR3's own managed-care example has 20002316) is reported, never refused or guessed.
        payment_date, problem = el.read_date(get(s, 16))
        if payment_date is None:
            self.warnings.append(ParseWarning(i, "BPR", "BPR16", problem))
        self.payment = PaymentInstruction(
            el.required(s, 1, i),
            el.amount(s, 2, i),
            el.required(s, 3, i),
            el.required(s, 4, i),
            get(s, 5),
            payment_date,
        )

    def on_trn(self, s: Segment, i: int) -> None:
        self._expect(self.loop == HEADER and self.trace is None, "TRN belongs once in the header", s, i)
        self.trace = Trace(get(s, 1), el.required(s, 2, i), el.required(s, 3, i), get(s, 4))

    def on_cur(self, s: Segment, i: int) -> None:
        self._expect(self.loop == HEADER, "CUR belongs in the header", s, i)

    def on_ref(self, s: Segment, i: int) -> None:
        reference = Reference(el.required(s, 1, i), el.required(s, 2, i))
        self._references(s, i).append(reference)

    def on_dtm(self, s: Segment, i: int) -> None:
        qualifier = el.required(s, 1, i)
        value = el.date(s, 2, i)
        if self.loop == LINE:
            self.line.dates[qualifier] = value  # type: ignore[union-attr]
        elif self.loop == CLAIM:
            self.claim.dates[qualifier] = value  # type: ignore[union-attr]
        elif self.loop == HEADER and qualifier == PRODUCTION_DATE:
            self.production_date = value
        else:
            raise EraParseError("DTM out of place", i, "DTM")

    def on_n1(self, s: Segment, i: int) -> None:
        entity = el.required(s, 1, i)
        party = Party(entity, get(s, 2), get(s, 3), get(s, 4), segment_index=i)
        if entity == "PR" and self.loop == HEADER:
            self.payer, self.loop = party, PAYER
        elif entity == "PE" and self.loop == PAYER:
            self.payee, self.loop = party, PAYEE
        else:
            raise EraParseError("N1 must be N1*PR (1000A) then N1*PE (1000B) before any claim", i, "N1")

    def on_n3(self, s: Segment, i: int) -> None:
        self._party(s, i).address = Address(tuple(line for line in s[1:3] if line), "", "", "")

    def on_n4(self, s: Segment, i: int) -> None:
        party = self._party(s, i)
        lines = party.address.lines if party.address else ()  # N3 is optional in the payee loop
        party.address = Address(lines, get(s, 1), get(s, 2), get(s, 3), get(s, 4))

    def on_per(self, s: Segment, i: int) -> None:
        if self.loop == CLAIM:
            return  # 2100 PER is a claim contact for this ERA only; nothing downstream posts it
        party = self._party(s, i)
        numbers = tuple((s[n], s[n + 1]) for n in (3, 5, 7) if n + 1 < len(s) and s[n])
        party.contacts.append(Contact(el.required(s, 1, i), get(s, 2), numbers))

    def on_rdm(self, s: Segment, i: int) -> None:
        self._expect(self.loop == PAYEE, "RDM belongs in the payee loop", s, i)

    # -- detail -----------------------------------------------------------------------------
    def on_lx(self, s: Segment, i: int) -> None:
        self._expect(PAYEE <= self.loop <= LINE, "LX must follow the payee loop", s, i)
        self.summaries.append(ProviderSummary(i, el.required(s, 1, i)))
        self.loop, self.claim, self.line = DETAIL, None, None

    def on_ts3(self, s: Segment, i: int) -> None:
        self._expect(self.loop == DETAIL, "TS3 must follow LX", s, i)
        self.summaries[-1].provider_summary = tuple(s[1:])

    def on_ts2(self, s: Segment, i: int) -> None:
        self._expect(self.loop == DETAIL, "TS2 must follow LX", s, i)
        self.summaries[-1].supplemental_summary = tuple(s[1:])

    def on_clp(self, s: Segment, i: int) -> None:
        # LX is required by the TR3 but some payers omit it; the claim's place is still unambiguous.
        self._expect(PAYEE <= self.loop <= LINE, "CLP must follow the payee loop", s, i)
        header = self.summaries[-1].header_number if self.summaries else None
        self.claim = ClaimPayment(
            i,
            header,
            el.required(s, 1, i),
            el.required(s, 2, i),
            el.amount(s, 3, i),
            el.amount(s, 4, i),
            el.optional_amount(s, 5, i),
            get(s, 6),
            get(s, 7),
            get(s, 8),
            get(s, 9),
        )
        self.claims.append(self.claim)
        self.loop, self.line = CLAIM, None

    def on_cas(self, s: Segment, i: int) -> None:
        if self.loop == LINE:
            self.line.adjustments.extend(el.adjustments(s, i))  # type: ignore[union-attr]
        elif self.loop == CLAIM:
            self.claim.adjustments.extend(el.adjustments(s, i))  # type: ignore[union-attr]
        else:
            raise EraParseError("CAS must follow a CLP or SVC", i, "CAS")

    def on_nm1(self, s: Segment, i: int) -> None:
        claim = self._claim_only(s, i)
        claim.parties.append(
            ClaimParty(el.required(s, 1, i), get(s, 2), get(s, 8), get(s, 9), get(s, 3), get(s, 4), get(s, 5))
        )

    def on_mia(self, s: Segment, i: int) -> None:
        claim = self._claim_only(s, i)
        claim.inpatient_adjudication = tuple(s[1:])
        claim.remark_codes.extend(RemarkCode("HE", s[n]) for n in MIA_REMARKS if get(s, n))

    def on_moa(self, s: Segment, i: int) -> None:
        claim = self._claim_only(s, i)
        claim.outpatient_adjudication = tuple(s[1:])
        claim.remark_codes.extend(RemarkCode("HE", s[n]) for n in MOA_REMARKS if get(s, n))

    def on_amt(self, s: Segment, i: int) -> None:
        target = self._claim_or_line(s, i)
        target.amounts[el.required(s, 1, i)] = el.amount(s, 2, i)

    def on_qty(self, s: Segment, i: int) -> None:
        target = self._claim_or_line(s, i)
        target.quantities[el.required(s, 1, i)] = el.amount(s, 2, i)

    def on_svc(self, s: Segment, i: int) -> None:
        self._expect(self.loop in (CLAIM, LINE), "SVC must follow a CLP", s, i)
        component = self.component
        submitted = get(s, 6)
        units = el.optional_amount(s, 5, i)
        self.line = ServiceLine(
            i,
            el.procedure_code(el.required(s, 1, i), component, s, 1, i),
            el.amount(s, 2, i),
            el.amount(s, 3, i),
            get(s, 4),
            units if units is not None else el.ONE,  # TR3: SVC05 absent means one unit
            el.procedure_code(submitted, component, s, 6, i) if submitted else None,
            el.optional_amount(s, 7, i),
        )
        self.claim.lines.append(self.line)  # type: ignore[union-attr]
        self.loop = LINE

    def on_lq(self, s: Segment, i: int) -> None:
        self._expect(self.loop == LINE, "LQ must follow an SVC", s, i)
        self.line.remark_codes.append(RemarkCode(el.required(s, 1, i), el.required(s, 2, i)))  # type: ignore[union-attr]

    def on_plb(self, s: Segment, i: int) -> None:
        self._expect(self.loop >= PAYEE, "PLB must follow the payee loop", s, i)
        provider_id, fiscal_period = el.required(s, 1, i), el.date(s, 2, i)
        for pair in range(PLB_PAIRS):
            at = 3 + 2 * pair
            if not get(s, at):
                if pair == 0 or get(s, at + 1):
                    raise EraParseError(f"PLB{at:02d} adjustment identifier is required", i, "PLB")
                continue
            reason, _, reference = s[at].partition(self.component)
            self.provider_adjustments.append(
                ProviderAdjustment(i, provider_id, fiscal_period, reason, reference, el.amount(s, at + 1, i))
            )
        self.loop = FOOTER

    # -- loop checks ------------------------------------------------------------------------
    def _expect(self, condition: bool, reason: str, s: Segment, i: int) -> None:
        if not condition:
            raise EraParseError(reason, i, s[0])

    def _party(self, s: Segment, i: int) -> Party:
        if self.loop == PAYER:
            return self.payer  # type: ignore[return-value]
        if self.loop == PAYEE:
            return self.payee  # type: ignore[return-value]
        raise EraParseError(f"{s[0]} belongs in the payer or payee loop", i, s[0])

    def _claim_only(self, s: Segment, i: int) -> ClaimPayment:
        self._expect(self.loop == CLAIM, f"{s[0]} must follow CLP, before any SVC", s, i)
        return self.claim  # type: ignore[return-value]

    def _claim_or_line(self, s: Segment, i: int) -> ClaimPayment | ServiceLine:
        if self.loop == LINE:
            return self.line  # type: ignore[return-value]
        return self._claim_only(s, i)

    def _references(self, s: Segment, i: int) -> list[Reference]:
        if self.loop == HEADER:
            return self.references
        if self.loop in (CLAIM, LINE):
            return self._claim_or_line(s, i).references
        if self.loop in (PAYER, PAYEE):
            return self._party(s, i).references
        raise EraParseError("REF out of place", i, "REF")

    def finish(self, envelope: Envelope, control_number: str, start: int) -> Remittance:
        """Build the transaction once SE has been checked; required loops must all be there."""
        assert self.payment is not None  # _read_transaction insists on BPR right after ST
        if self.trace is None or self.payer is None or self.payee is None:
            missing = "TRN" if self.trace is None else "N1*PR" if self.payer is None else "N1*PE"
            raise EraParseError(f"transaction has no {missing}", start, "ST")
        if self.payment.payment_date is None and self.production_date is None:
            # Without either date the next payer's claim could not say when this one adjudicated.
            raise EraParseError("transaction has no readable BPR16 and no DTM*405: it carries no date", start + 1,
                                "BPR")
        return Remittance(
            envelope.interchange_control_number,
            envelope.group_control_number,
            control_number,
            start,
            envelope.sender_id,
            envelope.receiver_id,
            self.payment,
            self.trace,
            self.payer,
            self.payee,
            self.production_date,
            self.references,
            self.summaries,
            self.claims,
            self.provider_adjustments,
            self.warnings,
        )
