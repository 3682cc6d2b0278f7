"""Build large, balanced, pyx12-valid 835 files for throughput checks; run directly to time parse_835.

.venv/bin/python tests/unit/remittance/era_file_builder.py [claims] [--pyx12]
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal

ISA = (
    "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*RIVERSIDECLINIC"
    "*240315*1200*^*00501*000000900*0*P*:~\n"
)
HEADER = [
    "N1*PR*ACME HEALTH PLAN",
    "N3*100 MAIN STREET",
    "N4*KANSAS CITY*MO*64108",
    "REF*2U*ACME01",
    "PER*BL*PROVIDER SERVICES*TE*8005551212",
    "N1*PE*RIVERSIDE FAMILY CLINIC*XX*1234567893",
    "N3*200 RIVER ROAD",
    "N4*SPRINGFIELD*MO*65801",
    "REF*TJ*431234567",
    "LX*1",
]
# (code, charge, allowed, patient responsibility CARC, patient amount): a small fee schedule.
SERVICES = [
    ("99213", Decimal("150.00"), Decimal("100.00"), "3", Decimal("25.00")),
    ("80053", Decimal("100.00"), Decimal("60.00"), "1", Decimal("60.00")),
    ("71046", Decimal("200.00"), Decimal("120.00"), "2", Decimal("24.00")),
    ("97110", Decimal("95.50"), Decimal("71.37"), "2", Decimal("14.27")),
]


def claim_segments(number: int) -> tuple[list[str], Decimal]:
    """Segments of one balanced two-line professional claim, and what it pays."""
    lines, charge_total, paid_total, patient_total = [], Decimal(0), Decimal(0), Decimal(0)
    for offset in range(2):
        code, charge, allowed, carc, patient = SERVICES[(number + offset) % len(SERVICES)]
        paid = allowed - patient
        lines += [
            f"SVC*HC:{code}*{charge}*{paid}**1",
            "DTM*472*20240220",
            f"CAS*CO*45*{charge - allowed}",
            f"CAS*PR*{carc}*{patient}",
            f"REF*6R*PCN{number:07d}-{offset + 1}",
            f"AMT*B6*{allowed}",
        ]
        charge_total += charge
        paid_total += paid
        patient_total += patient
    claim = [
        f"CLP*PCN{number:07d}*1*{charge_total}*{paid_total}*{patient_total}*12*ACMECCN{number:09d}*11*1",
        f"NM1*QC*1*DOE*JANE****MI*MEMB{number:07d}",
        "DTM*050*20240301",
    ]
    return claim + lines, paid_total


def build_835(claim_count: int) -> str:
    """One interchange, one transaction, claim_count balanced claims."""
    body: list[str] = []
    total = Decimal(0)
    for number in range(claim_count):
        segments, paid = claim_segments(number)
        body += segments
        total += paid
    return wrap_transaction(
        [f"BPR*I*{total}*C*CHK************20240315", "TRN*1*CHK0000900*1431234567", *body]
    )


def wrap_transaction(transaction: list[str]) -> str:
    """ISA/GS/ST around BPR, TRN, then the standard payer and payee loops and LX, then the given claims."""
    body = [*transaction[:2], "DTM*405*20240314", *HEADER, *transaction[2:]]
    segments = [
        "GS*HP*ACMEHEALTH*RIVERSIDECLINIC*20240315*1200*900*X*005010X221A1",
        "ST*835*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*900",
        "IEA*1*000000900",
    ]
    return ISA + "".join(segment + "~\n" for segment in segments)


def single_claim_835(claim: list[str], total_paid: str) -> str:
    """A one-claim 835 around the given CLP..SVC segments, for tests that need one claim shape."""
    return wrap_transaction(
        [f"BPR*I*{total_paid}*C*CHK************20240315", "TRN*1*CHK0000901*1431234567", *claim]
    )


def _time_parse(claims: int, with_pyx12: bool) -> None:
    from services.remittance.domain import find_balance_errors, parse_835

    text = build_835(claims)
    started, cpu_started = time.perf_counter(), time.process_time()
    remittances = parse_835(text)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert len(remittances[0].claims) == claims and not find_balance_errors(remittances[0])
    # CPU time as well: on a shared machine wall time mostly measures the neighbours.
    print(f"parse_835: {claims} claims in {elapsed:.3f} s wall ({claims / elapsed:,.0f} claims/s),", end=" ")
    print(f"{cpu:.3f} s CPU ({claims / cpu:,.0f} claims/s)")
    if with_pyx12:
        import io
        import logging
        import tempfile

        import pyx12.params
        import pyx12.x12n_document

        logging.getLogger("pyx12").setLevel(logging.CRITICAL)
        with tempfile.NamedTemporaryFile("w", suffix=".835") as file:
            file.write(text)
            file.flush()
            started = time.perf_counter()
            pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(),
                src_file=file.name,
                fd_997=io.StringIO(),
                fd_html=None,
                fd_xmldoc=None,
            )
            elapsed = time.perf_counter() - started
        print(f"pyx12:     {claims} claims in {elapsed:.3f} s = {claims / elapsed:,.0f} claims/s")


if __name__ == "__main__":
    _time_parse(int(next((a for a in sys.argv[1:] if a.isdigit()), "10000")), "--pyx12" in sys.argv)
