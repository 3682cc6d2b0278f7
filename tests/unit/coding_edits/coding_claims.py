"""Claims and reference data for the coding edit tests: the shipped reference plus small test tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path

from services.coding.adapters.reference_import.cpt_descriptors import read_cpt_descriptors
from services.coding.adapters.reference_import.ncci_files import build_ptp_table
from services.coding.domain.codesets import Icd10CmCodeSets
from services.coding.domain.coding_claim import CodedLine, CodingClaim
from services.coding.domain.edits import CodingReference, load_coding_reference

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "coding"
IN_FY2026 = dt.date(2026, 5, 4)
ADULT = dt.date(1970, 3, 15)


def line(code: str, *modifiers: str, units: float = 1, day: dt.date | None = None, number: int = 0) -> CodedLine:
    """A service line; number 0 means its position on the claim."""
    return CodedLine(number, code, tuple(modifiers), units, day, (1,))


def claim(*lines: CodedLine, dx: tuple[str, ...] = ("I10",), sex: str = "F", born: dt.date = ADULT,
          dos: dt.date = IN_FY2026) -> CodingClaim:
    numbered = tuple(dataclasses.replace(each, line_number=each.line_number or index)
                     for index, each in enumerate(lines or (line("99213"),), start=1))
    return CodingClaim(dos, sex, born, dx, numbered)


@cache
def shipped() -> CodingReference:
    return load_coding_reference()


@cache
def with_dated_ptp() -> CodingReference:
    """The shipped reference plus the invented, dated PTP rows of the test fixture."""
    reference = shipped()
    rows = (FIXTURES / "ptp_dated_edits.txt").read_text()
    dated = build_ptp_table("test PTP", [rows])
    return dataclasses.replace(reference, ptp=dataclasses.replace(
        reference.ptp, edits={**reference.ptp.edits, **dated.edits}))


@cache
def with_complete_hcpcs() -> CodingReference:
    reference = shipped()
    return dataclasses.replace(reference, hcpcs=dataclasses.replace(reference.hcpcs, complete=True))


@cache
def with_cpt_file() -> CodingReference:
    descriptors = read_cpt_descriptors((FIXTURES / "cpt_descriptors_madeup.tsv").read_text(), "test CPT file")
    return dataclasses.replace(shipped(), cpt=descriptors)


@cache
def without_icd10cm() -> CodingReference:
    """The shipped reference with no ICD-10-CM release loaded at all."""
    return dataclasses.replace(shipped(), icd10cm=Icd10CmCodeSets(()))
