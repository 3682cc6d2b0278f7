"""A balanced 835 with N claims (one ST/SE, two service lines each) and the billed claims it pays.

The same file goes to our parser and to the peers, so the comparison is like for like. Every
claim carries CO-45 above the allowed amount and a PR-3 copay on its first line, as a real ERA does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

CHARGES = (Decimal("125.00"), Decimal("102.00"))
PROCEDURES = (("99214", ["25"]), ("36415", []))
ALLOWED_FRACTION = Decimal("0.8")
COPAY = Decimal("10.00")
PAYEE_NPI, PAYEE_TIN = "1234567893", "371234567"  # N1*PE and REF*TJ: the tenant paid under them gets the file


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def patient_control_number(index: int) -> str:
    return f"BENCH{index:09d}"


def billed_claims(count: int, tenant_id: str, service_date: dt.date) -> list[dict]:
    """remittance.billed_claims rows for the claims the generated 835 pays (what matching reads)."""
    rows = []
    for index in range(count):
        pcn = patient_control_number(index)
        lines = [{"line_control_number": f"{pcn}-{n + 1}", "procedure_code": code, "modifiers": modifiers,
                  "units": "1", "charge": str(charge), "date_of_service": service_date.isoformat()}
                 for n, ((code, modifiers), charge) in enumerate(zip(PROCEDURES, CHARGES, strict=True))]
        rows.append({"claim_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-claim:{pcn}")), "tenant_id": tenant_id,
                     "patient_control_number": pcn, "payer_id": "SIMPAY", "claim_version": 1,
                     "submission_id": f"bench-{index}", "billed": sum(CHARGES), "lines": lines,
                     "status": "submitted"})
    return rows


def _claim_segments(index: int, date: str) -> tuple[list[str], Decimal]:
    pcn = patient_control_number(index)
    lines: list[str] = []
    paid_total = patient_total = Decimal("0")
    for n, ((code, modifiers), charge) in enumerate(zip(PROCEDURES, CHARGES, strict=True)):
        allowed = (charge * ALLOWED_FRACTION).quantize(Decimal("0.01"))
        patient = COPAY if n == 0 else Decimal("0")
        paid = allowed - patient
        paid_total, patient_total = paid_total + paid, patient_total + patient
        composite = ":".join(["HC", code, *modifiers])
        lines += [f"SVC*{composite}*{_amount(charge)}*{_amount(paid)}", f"DTM*472*{date}",
                  f"CAS*CO*45*{_amount(charge - allowed)}"]
        lines += [f"CAS*PR*3*{_amount(patient)}"] if patient else []
        lines += [f"REF*6R*{pcn}-{n + 1}", f"AMT*B6*{_amount(allowed)}"]
    clp = (f"CLP*{pcn}*1*{_amount(sum(CHARGES))}*{_amount(paid_total)}*{_amount(patient_total)}*12"
           f"*PCCN{index:010d}*11*1")
    return [clp, f"NM1*QC*1*DOE*JANE****MI*MBR{index:08d}", *lines], paid_total


def era_file(count: int, service_date: dt.date, trace_number: str = "BENCHTRACE0001",
             payer_contact: bool = False) -> str:
    """One interchange, one group, one 835 transaction paying `count` claims.

    Without payer_contact the 1000A PER*BL is left out: linuxforhealth-x12 0.57.0 rejects any 1000A
    PER (it keeps the segment as an object where its model wants a list), and every parser must
    read the same file. pyx12 reports the missing PER as a validation error but still reads on.
    """
    date = service_date.strftime("%Y%m%d")
    claims: list[str] = []
    total = Decimal("0")
    for index in range(count):
        segments, paid = _claim_segments(index, date)
        claims += segments
        total += paid
    body = [f"BPR*I*{_amount(total)}*C*CHK************{date}", f"TRN*1*{trace_number}*1990000009",
            f"DTM*405*{date}", "N1*PR*BENCH HEALTH PLAN", "N3*1 PAYER PLAZA", "N4*CHICAGO*IL*606011234",
            "REF*2U*SIMPAY", *(["PER*BL*PROVIDER SERVICES*TE*8005550199"] if payer_contact else []),
            f"N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*{PAYEE_NPI}", f"REF*TJ*{PAYEE_TIN}", "LX*1", *claims]
    control = 123456789
    header = [f"ISA*00*          *00*          *ZZ*{'BENCHPAYER':<15}*ZZ*{'CLAIMLINE':<15}"
              f"*{service_date:%y%m%d}*1200*^*00501*{control:09d}*0*T*:",
              f"GS*HP*BENCHPAYER*CLAIMLINE*{date}*1200*{control}*X*005010X221A1"]
    transaction = ["ST*835*0001", *body, f"SE*{len(body) + 2}*0001"]
    return "~\n".join([*header, *transaction, f"GE*1*{control}", f"IEA*1*{control:09d}"]) + "~\n"
