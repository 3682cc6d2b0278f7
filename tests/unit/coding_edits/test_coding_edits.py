"""Every coding edit, table-driven: each has a case that fires and a case that does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import pytest

from services.coding.domain.coding_claim import CodingClaim
from services.coding.domain.edits import CodingReference, list_edit_definitions, run_coding_edits
from tests.unit.coding_edits.coding_claims import (
    claim,
    line,
    shipped,
    with_complete_hcpcs,
    with_cpt_file,
    with_dated_ptp,
    without_icd10cm,
)

FY2027 = dt.date(2026, 11, 2)
NEXT_OCTOBER = dt.date(2027, 10, 5)  # FY2028: no release loaded for it
NEWBORN = dt.date(2026, 5, 1)


class Case(NamedTuple):
    edit_id: str
    fires: bool
    claim: CodingClaim
    reference: Callable[[], CodingReference] = shipped


CASES = {
    # ICD-10-CM code set by date of service
    "no release loaded at all": Case("COD-ICD-NO-CODESET", True, claim(), without_icd10cm),
    "FY2026 release covers the date": Case("COD-ICD-NO-CODESET", False, claim()),
    "FY2027 made from the addenda covers the date": Case("COD-ICD-NO-CODESET", False, claim(dos=FY2027)),
    "FY2028 not loaded: FY2027 assumed": Case("COD-ICD-RELEASE-ASSUMED", True, claim(dos=NEXT_OCTOBER)),
    "FY2027 loaded: nothing assumed": Case("COD-ICD-RELEASE-ASSUMED", False, claim(dos=FY2027)),
    "code the assumed release lacks": Case("COD-ICD-ASSUMED-UNKNOWN", True, claim(dx=("T52.8X2D",), dos=NEXT_OCTOBER)),
    "code the assumed release has": Case("COD-ICD-ASSUMED-UNKNOWN", False, claim(dx=("C78.31",), dos=NEXT_OCTOBER)),
    "code deleted in FY2027, dated in FY2027": Case("COD-ICD-INVALID", True,
                                                     claim(dx=("T52.8X2D",), dos=dt.date(2026, 10, 1))),
    "code deleted in FY2027, dated in FY2026": Case("COD-ICD-INVALID", False,
                                                     claim(dx=("T52.8X2D",), dos=dt.date(2026, 9, 30))),
    "code added in FY2027, dated in FY2026": Case("COD-ICD-INVALID", True,
                                                   claim(dx=("C78.31",), dos=dt.date(2026, 9, 30))),
    "code added in FY2027, dated in FY2027": Case("COD-ICD-INVALID", False, claim(dx=("C78.31",), dos=FY2027)),
    "billable in FY2026, a header in FY2027": Case("COD-ICD-NONBILLABLE", True, claim(dx=("D69.1",), dos=FY2027)),
    "code that does not exist": Case("COD-ICD-INVALID", True, claim(dx=("A00.3",))),
    "code that exists": Case("COD-ICD-INVALID", False, claim(dx=("A00.1",))),
    "category is not billable": Case("COD-ICD-NONBILLABLE", True, claim(dx=("E11",))),
    "leaf code is billable": Case("COD-ICD-NONBILLABLE", False, claim(dx=("E11.9",))),
    "7th character code without extension": Case("COD-ICD-NONBILLABLE", True, claim(dx=("S82.001",))),
    # Excludes1
    "type 1 and type 2 diabetes together": Case("COD-ICD-EXCLUDES1", True, claim(dx=("E11.9", "E10.9"))),
    "diabetes with hypertension": Case("COD-ICD-EXCLUDES1", False, claim(dx=("E11.9", "I10"))),
    "block-level Excludes1 (falls vs transport)": Case("COD-ICD-EXCLUDES1", True,
                                                       claim(dx=("S82.001A", "W19.XXXA", "V43.52XA"))),
    # age and sex (MCE)
    "newborn code on an adult": Case("COD-ICD-AGE", True, claim(dx=("Z38.00",))),
    "newborn code on a newborn": Case("COD-ICD-AGE", False, claim(dx=("Z38.00",), born=NEWBORN)),
    "maternity code at 70": Case("COD-ICD-AGE", True, claim(dx=("O80",), born=dt.date(1955, 1, 1))),
    "maternity code at 30": Case("COD-ICD-AGE", False, claim(dx=("O80",), born=dt.date(1996, 1, 1))),
    "prostate code on a female patient": Case("COD-ICD-SEX", True, claim(dx=("N40.0",), sex="F")),
    "prostate code on a male patient": Case("COD-ICD-SEX", False, claim(dx=("N40.0",), sex="M")),
    "female-only code, sex unknown": Case("COD-ICD-SEX", False, claim(dx=("N95.1",), sex="U")),
    # first-listed diagnosis
    "manifestation first": Case("COD-ICD-MANIFESTATION-FIRST", True, claim(dx=("G63", "E11.42"))),
    "etiology first, manifestation second": Case("COD-ICD-MANIFESTATION-FIRST", False, claim(dx=("E11.42", "G63"))),
    "conditional code-first note (ulcer) first": Case("COD-ICD-MANIFESTATION-FIRST", False, claim(dx=("L97.101",))),
    "sequela first": Case("COD-ICD-SEQUELA-FIRST", True, claim(dx=("S82.001S",))),
    "initial encounter first": Case("COD-ICD-SEQUELA-FIRST", False, claim(dx=("S82.001A",))),
    "external cause first": Case("COD-ICD-EXTCAUSE-FIRST", True, claim(dx=("W19.XXXA", "S82.001A"))),
    "external cause second": Case("COD-ICD-EXTCAUSE-FIRST", False, claim(dx=("S82.001A", "W19.XXXA"))),
    # procedure code formats and code sets
    "neither CPT nor HCPCS": Case("COD-PROC-FORMAT", True, claim(line("9921X"))),
    "CPT Category II": Case("COD-PROC-FORMAT", False, claim(line("3074F"))),
    "HCPCS code outside the extract": Case("COD-HCPCS-UNVERIFIED", True, claim(line("A9999"))),
    "HCPCS code in the extract": Case("COD-HCPCS-UNVERIFIED", False, claim(line("G0439"))),
    "HCPCS code outside a complete file": Case("COD-HCPCS-UNKNOWN", True, claim(line("A9999")), with_complete_hcpcs),
    "HCPCS code in a complete file": Case("COD-HCPCS-UNKNOWN", False, claim(line("G0439")), with_complete_hcpcs),
    "terminated HCPCS code after termination": Case("COD-HCPCS-INACTIVE", True, claim(line("G0202"))),
    "terminated HCPCS code before termination": Case("COD-HCPCS-INACTIVE", False,
                                                     claim(line("G0202"), dos=dt.date(2017, 6, 1))),
    "CPT code outside the practice's file": Case("COD-CPT-UNKNOWN", True, claim(line("99214")), with_cpt_file),
    "CPT code in the practice's file": Case("COD-CPT-UNKNOWN", False, claim(line("99213")), with_cpt_file),
    "no CPT file loaded": Case("COD-CPT-UNKNOWN", False, claim(line("99214"))),
    # NCCI PTP
    "indicator 0 pair": Case("COD-NCCI-PTP-0", True, claim(line("20610"), line("76942"))),
    "indicator 0 pair with 59 still fires": Case("COD-NCCI-PTP-0", True, claim(line("20610"), line("76942", "59"))),
    "indicator 0 pair on different days": Case("COD-NCCI-PTP-0", False,
                                               claim(line("20610"), line("76942", day=dt.date(2026, 5, 5)))),
    "indicator 1 pair without modifier": Case("COD-NCCI-PTP-1", True, claim(line("11042"), line("97597"))),
    "indicator 1 pair with 59": Case("COD-NCCI-PTP-1", False, claim(line("11042"), line("97597", "59"))),
    "indicator 1 pair with XS": Case("COD-NCCI-PTP-1", False, claim(line("11042"), line("97597", "XS"))),
    "indicator 1 pair with an anatomic modifier": Case("COD-NCCI-PTP-1", False,
                                                       claim(line("11042", "LT"), line("97597", "RT"))),
    "E/M column 2 with 25": Case("COD-NCCI-PTP-1", False, claim(line("99213", "25"), line("20610"))),
    "25 on the procedure does not bypass": Case("COD-NCCI-PTP-1", True, claim(line("99213"), line("20610", "25"))),
    "indicator 9 is not applied": Case("COD-NCCI-PTP-1", False, claim(line("17110"), line("11055")), with_dated_ptp),
    "pair the day before its deletion": Case("COD-NCCI-PTP-1", True,
                                             claim(line("29881"), line("29880"), dos=dt.date(2026, 6, 30)),
                                             with_dated_ptp),
    "pair on its deletion date": Case("COD-NCCI-PTP-1", False,
                                      claim(line("29881"), line("29880"), dos=dt.date(2026, 7, 1)), with_dated_ptp),
    "pair on its effective date": Case("COD-NCCI-PTP-0", True,
                                       claim(line("36415"), line("36416"), dos=dt.date(2026, 10, 1)), with_dated_ptp),
    "pair the day before it takes effect": Case("COD-NCCI-PTP-0", False,
                                                claim(line("36415"), line("36416"), dos=dt.date(2026, 9, 30)),
                                                with_dated_ptp),
    # NCCI MUE
    "line edit over its MUE": Case("COD-NCCI-MUE", True, claim(line("20610", units=3))),
    "line edit at its MUE": Case("COD-NCCI-MUE", False, claim(line("20610", units=2))),
    "line edit: two lines each within the MUE": Case("COD-NCCI-MUE", False,
                                                     claim(line("20610", "RT", units=2), line("20610", "LT", units=2))),
    "date-of-service edit summed over lines": Case("COD-NCCI-MUE", True, claim(line("11042"), line("11042", "59"))),
    "date-of-service edit on different days": Case("COD-NCCI-MUE", False,
                                                   claim(line("11042"), line("11042", day=dt.date(2026, 5, 6)))),
    # add-on codes
    "add-on without its primary": Case("COD-ADDON-NO-PRIMARY", True, claim(line("11045"))),
    "add-on with its primary": Case("COD-ADDON-NO-PRIMARY", False, claim(line("11042"), line("11045"))),
    "add-on with another family's primary": Case("COD-ADDON-NO-PRIMARY", True, claim(line("64483"), line("64480"))),
    "add-on with primary on another day": Case("COD-ADDON-NO-PRIMARY", True,
                                               claim(line("11042", day=dt.date(2026, 5, 3)), line("11045"))),
    # modifier 25
    "E/M with a minor procedure, no 25": Case("COD-MOD25-MISSING", True, claim(line("99213"), line("20610"))),
    "E/M with a minor procedure and 25": Case("COD-MOD25-MISSING", False, claim(line("99213", "25"), line("20610"))),
    "E/M with a 10-day procedure, no 25": Case("COD-MOD25-MISSING", True, claim(line("99214"), line("17110"))),
    "E/M and minor procedure on different days": Case("COD-MOD25-MISSING", False,
                                                      claim(line("99213"), line("20610", day=dt.date(2026, 5, 6)))),
    "E/M with a non-minor service": Case("COD-MOD25-MISSING", False, claim(line("99213"), line("93000"))),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_edit(case: Case) -> None:
    fired = [found for found in run_coding_edits(case.claim, case.reference()) if found.edit_id == case.edit_id]
    assert bool(fired) == case.fires, fired


def test_every_defined_edit_has_a_firing_and_a_quiet_case() -> None:
    covered = {(case.edit_id, case.fires) for case in CASES.values()}
    for definition in list_edit_definitions():
        assert (definition.edit_id, True) in covered, definition.edit_id
        assert (definition.edit_id, False) in covered, definition.edit_id


def test_a_clean_claim_has_no_edits() -> None:
    clean = claim(line("99213", "25"), line("20610", "RT"), line("J1030"), dx=("M17.11", "I10"), sex="M")
    assert run_coding_edits(clean, shipped()) == []


def _messages(found: list) -> dict[str, str]:
    return {each.edit_id: each.message for each in found}


def test_a_code_deleted_in_fy2027_is_refused_naming_the_release_and_accepted_before() -> None:
    after = _messages(run_coding_edits(claim(dx=("T52.8X2D",), dos=dt.date(2026, 10, 1)), shipped()))
    assert after["COD-ICD-INVALID"] == ("T52.8X2D was deleted from ICD-10-CM in ICD-10-CM FY2027, which covers the "
                                        "date of service (from 2026-10-01): report the code that replaces it.")
    assert run_coding_edits(claim(dx=("T52.8X2D",), dos=dt.date(2026, 9, 30)), shipped()) == []
    header = _messages(run_coding_edits(claim(dx=("D69.1",), dos=dt.date(2026, 10, 1)), shipped()))
    assert "not billable in ICD-10-CM FY2027 (it was billable until ICD-10-CM FY2027 made it a category)" in \
        header["COD-ICD-NONBILLABLE"]


def test_the_assumption_names_the_year_missing_and_the_release_used() -> None:
    found = _messages(run_coding_edits(claim(dx=("I10", "T52.8X2D"), dos=NEXT_OCTOBER), shipped()))
    assert found["COD-ICD-RELEASE-ASSUMED"].startswith(
        "No ICD-10-CM release is loaded for FY2028, which covers the date of service: the diagnoses were checked "
        "against ICD-10-CM FY2027 (2026-10-01 to 2027-09-30), the nearest loaded")
    assert found["COD-ICD-ASSUMED-UNKNOWN"].startswith(
        "T52.8X2D is not in ICD-10-CM FY2027, the release assumed for FY2028: it may be new in FY2028.")
