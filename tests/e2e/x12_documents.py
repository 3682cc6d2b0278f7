"""X12 the end-to-end tests read and write: 837 fields, hand-built 835/999/277CA files, the pyx12 check."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyx12.params
import pyx12.x12n_document

CENTS = Decimal("0.01")
# pyx12 logs this for every 835 and 277: it cannot write a 999 for them (ST03 is unused there)
PYX12_NOISE = "Failed to create 999 response"


def segments(x12: str) -> list[list[str]]:
    """The segments of an interchange that uses `*` and `~` (what the platform and simulator write)."""
    return [s.strip().split("*") for s in x12.split("~") if s.strip()]


def first(x12: str, segment_id: str, qualifier: str | None = None) -> list[str]:
    """The first segment with this id (and element 1, when given)."""
    return next(s for s in segments(x12) if s[0] == segment_id and (qualifier is None or s[1] == qualifier))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.messages.append(record.getMessage())


def pyx12_errors(x12: str) -> list[str]:
    """What the independent pyx12 validator logs as errors for this file; empty when it is valid."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.x12"
        path.write_text(x12)
        collect = _Collect()
        logger = logging.getLogger("pyx12")
        level = logger.level
        logger.addHandler(collect)
        logger.setLevel(logging.INFO)
        try:
            valid = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=str(path),
                                                      fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None)
        finally:
            logger.removeHandler(collect)
            logger.setLevel(level)
    errors = [m for m in collect.messages if PYX12_NOISE not in m]
    return errors if valid or errors else ["pyx12 judged the file invalid without logging why"]


@dataclass(frozen=True)
class BilledLine:
    procedure: str  # SV101 as written, e.g. HC:99214:25
    charge: Decimal
    units: str
    service_date: str
    line_control_number: str


@dataclass(frozen=True)
class BilledClaim:
    """What an 835 needs from the 837 the platform sent."""

    patient_control_number: str
    total_charge: Decimal
    patient_last: str
    patient_first: str
    member_id: str
    lines: tuple[BilledLine, ...]
    payee_npi: str = "1234567893"  # the billing provider (2010AA NM1*85, REF*EI): an 835 names it as payee
    payee_tin: str = "371234567"


def billed_claim(x12_837: str) -> BilledClaim:
    """Read the claim (one per interchange, as submission writes them) out of an 837P."""
    clm, subscriber = first(x12_837, "CLM"), first(x12_837, "NM1", "IL")
    lines: list[BilledLine] = []
    sv1: list[str] | None = None
    date = ""
    for segment in segments(x12_837):
        if segment[0] == "SV1":
            sv1 = segment
        elif segment[0] == "DTP" and segment[1] == "472":
            date = segment[3]
        elif segment[0] == "REF" and segment[1] == "6R" and sv1 is not None:
            lines.append(BilledLine(sv1[1], Decimal(sv1[2]), sv1[4], date, segment[2]))
    provider, tax_id = first(x12_837, "NM1", "85"), first(x12_837, "REF", "EI")
    return BilledClaim(clm[1], Decimal(clm[2]), subscriber[3], subscriber[4], subscriber[9], tuple(lines),
                       provider[9], tax_id[2])


def _amount(value: Decimal) -> str:
    text = format(value.quantize(CENTS, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _envelope(functional_id: str, version: str, body: list[str], st03: bool) -> str:
    control = uuid.uuid4().int % 900_000_000 + 100_000_000
    now = dt.datetime.now(dt.UTC)
    header = [
        f"ISA*00*          *00*          *ZZ*{'E2EPAYER':<15}*ZZ*{'CLAIMLINE':<15}"
        f"*{now:%y%m%d}*{now:%H%M}*^*00501*{control:09d}*0*T*:",
        f"GS*{functional_id}*E2EPAYER*CLAIMLINE*{now:%Y%m%d}*{now:%H%M}*{control}*X*{version}",
    ]
    code = {"HP": "835", "FA": "999", "HN": "277"}[functional_id]
    transaction = [f"ST*{code}*0001" + (f"*{version}" if st03 else ""), *body, f"SE*{len(body) + 2}*0001"]
    trailer = [f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "~\n".join(header + transaction + trailer) + "~\n"


def era_835(claim: BilledClaim, trace_number: str, payer_identifier: str = "1990000009",
            allowed_fraction: Decimal = Decimal("0.8"), copay: Decimal = Decimal("10.00")) -> str:
    """A balanced 835 paying every line: CO-45 above the allowed amount, a PR-3 copay on the first line; its
    payee is the claim's billing provider, as a payer writes it (and remittance routes it by)."""
    today = dt.date.today().strftime("%Y%m%d")
    claim_lines: list[str] = []
    paid_total = patient_total = Decimal("0")
    for index, line in enumerate(claim.lines):
        allowed = (line.charge * allowed_fraction).quantize(CENTS, rounding=ROUND_HALF_UP)
        patient = min(copay, allowed) if index == 0 else Decimal("0")
        paid = allowed - patient
        paid_total, patient_total = paid_total + paid, patient_total + patient
        units = "" if line.units in ("1", "") else line.units
        svc = f"SVC*{line.procedure}*{_amount(line.charge)}*{_amount(paid)}" + (f"**{units}" if units else "")
        claim_lines += [svc, f"DTM*472*{line.service_date}", f"CAS*CO*45*{_amount(line.charge - allowed)}"]
        claim_lines += [f"CAS*PR*3*{_amount(patient)}"] if patient else []
        claim_lines += [f"REF*6R*{line.line_control_number}", f"AMT*B6*{_amount(allowed)}"]
    body = [
        f"BPR*I*{_amount(paid_total)}*C*CHK************{today}",
        f"TRN*1*{trace_number}*{payer_identifier}",
        f"DTM*405*{today}",
        "N1*PR*E2E TEST HEALTH PLAN", "N3*1 PAYER PLAZA", "N4*CHICAGO*IL*606011234", "REF*2U*E2EPAY",
        "PER*BL*PROVIDER SERVICES*TE*8005550199",
        f"N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*{claim.payee_npi}", f"REF*TJ*{claim.payee_tin}",
        "LX*1",
        f"CLP*{claim.patient_control_number}*1*{_amount(claim.total_charge)}*{_amount(paid_total)}"
        f"*{_amount(patient_total)}*12*E2E{uuid.uuid4().hex[:12].upper()}*11*1",
        f"NM1*QC*1*{claim.patient_last}*{claim.patient_first}****MI*{claim.member_id}",
        *claim_lines,
    ]
    return _envelope("HP", "005010X221A1", body, st03=False)


def unknown_claim() -> BilledClaim:
    """A claim no one submitted: its patient control number matches nothing."""
    pcn = "E2EUNKNOWN" + uuid.uuid4().hex[:10].upper()
    line = BilledLine("HC:99213", Decimal("150"), "1", dt.date.today().strftime("%Y%m%d"), pcn + "-1")
    return BilledClaim(pcn, Decimal("150"), "QUILLFEATHER", "ZEBEDIAH", "MBRE2E0001", (line,))


def ack_999(group_control_number: int) -> str:
    """A 999 accepting the 837 functional group with this GS06."""
    body = [f"AK1*HC*{group_control_number}*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"]
    return _envelope("FA", "005010X231A1", body, st03=True)


def ack_277ca(patient_control_number: str) -> str:
    """A 277CA accepting one claim (by CLM01)."""
    today = dt.date.today().strftime("%Y%m%d")
    body = [
        f"BHT*0085*08*E2E{uuid.uuid4().hex[:8]}*{today}*0900*TH", "HL*1**20*1",
        "NM1*PR*2*E2E TEST HEALTH PLAN*****PI*E2EPAY", "TRN*1*E2E0001", f"DTP*050*D8*{today}",
        f"DTP*009*D8*{today}", "HL*2*1*21*1", "NM1*41*2*CLAIMLINE*****46*CLAIMLINE", "TRN*2*0001",
        f"STC*A1:19:PR*{today}*WQ*150", "QTY*90*1", "AMT*YU*150", "HL*3*2*19*1",
        "NM1*85*2*SPRINGFIELD FAMILY MEDICINE*****XX*1234567893", "TRN*1*0", "STC*A1:19:PR**WQ*150",
        "QTY*QA*1", "AMT*YU*150", "HL*4*3*PT", "NM1*QC*1*QUILLFEATHER*ZEBEDIAH****MI*MBRE2E0001",
        f"TRN*2*{patient_control_number}", f"STC*A2:20:PR*{today}*WQ*150", "REF*1K*E2E0000000001",
        f"DTP*472*D8*{today}",
    ]
    return _envelope("HN", "005010X214", body, st03=True)
