"""The importers read the publishers' layouts: the shipped extracts and small fixtures in the same layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.coding.adapters.reference_import.cpt_descriptors import CptImportError, read_cpt_descriptors
from services.coding.adapters.reference_import.hcpcs_file import HcpcsImportError, read_hcpcs_csv
from services.coding.adapters.reference_import.ncci_files import (
    NcciImportError,
    build_ptp_table,
    read_mue_csv,
    read_ptp_rows,
)
from services.coding.adapters.reference_import.reference_files import SHIPPED

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "coding"
SHIPPED_PTP = SHIPPED / "ncci" / "ccipra-v324r0-f1_extract.txt"
SHIPPED_MUE = SHIPPED / "ncci" / "MCR_MUE_PractitionerServices_Eff_10-01-2026_extract.csv"
SHIPPED_HCPCS = SHIPPED / "hcpcs" / "HCPC2026_OCT_ANWEB_extract.csv"


def test_ptp_rows_of_the_shipped_extract_skip_the_header_lines() -> None:
    edits = read_ptp_rows(SHIPPED_PTP.read_text())
    assert len(edits) == 17
    ecg = next(edit for edit in edits if (edit.column1, edit.column2) == ("93000", "93005"))
    assert (ecg.prior_to_1996, ecg.effective, ecg.deleted, ecg.modifier_indicator) == (
        True, dt.date(1996, 1, 1), None, "0")
    deleted = next(edit for edit in edits if (edit.column1, edit.column2) == ("97530", "97161"))
    assert deleted.deleted == dt.date(2020, 1, 1) and not deleted.in_force_on(dt.date(2026, 1, 1))


def test_ptp_deletion_date_is_the_first_day_the_edit_no_longer_applies() -> None:
    table = build_ptp_table("test", [(FIXTURES / "ptp_dated_edits.txt").read_text()])
    assert table.edit_for("29881", "29880", dt.date(2026, 6, 30)) is not None
    assert table.edit_for("29881", "29880", dt.date(2026, 7, 1)) is None
    assert table.edit_for("36415", "36416", dt.date(2026, 9, 30)) is None
    assert table.edit_for("36415", "36416", dt.date(2026, 10, 1)) is not None
    assert table.edit_for("29880", "29881", dt.date(2026, 6, 30)) is None  # pairs are ordered


@pytest.mark.parametrize("row, problem", [
    ("11042\t97597\t\t20070101\t*\t2\tx", "modifier indicator"),
    ("11042\t97597\t\t20070101\t2026-01-01\t1\tx", "deletion date"),
    ("11042\t97597\t\t20071301\t*\t1\tx", "is not a YYYYMMDD date"),
])
def test_ptp_rows_off_the_layout_are_refused(row: str, problem: str) -> None:
    with pytest.raises(NcciImportError, match=problem):
        read_ptp_rows(f"Column 1\tColumn 2\n{row}\n")


def test_a_file_without_ptp_rows_is_refused() -> None:
    with pytest.raises(NcciImportError, match="no PTP edit rows"):
        build_ptp_table("test", ["HCPCS/CPT Code,MUE\n"])


def test_mue_values_of_the_shipped_extract() -> None:
    table = read_mue_csv(SHIPPED_MUE.read_text(), "test")
    assert len(table.values) == 8
    line_edit, day_edit = table.values["20610"], table.values["11042"]
    assert (line_edit.max_units, line_edit.adjudication_indicator, line_edit.per_day) == (2, "1", False)
    assert (day_edit.max_units, day_edit.adjudication_text, day_edit.per_day) == (
        1, "2 Date of Service Edit: Policy", True)


@pytest.mark.parametrize("text, problem", [
    ('"Code","Value"\n"20610","2","1 Line Edit"\n', "no 'HCPCS/CPT Code' header"),
    ('"HCPCS/CPT Code","MUE","MAI","R"\n"20610","two","1 Line Edit","x"\n', "do not fit the MUE layout"),
    ('"HCPCS/CPT Code","MUE","MAI","R"\n"20610","2","4 Other","x"\n', "do not fit the MUE layout"),
])
def test_mue_files_off_the_layout_are_refused(text: str, problem: str) -> None:
    with pytest.raises(NcciImportError, match=problem):
        read_mue_csv(text, "test")


def test_hcpcs_shipped_extract_reads_procedures_with_their_dates() -> None:
    code_set = read_hcpcs_csv(SHIPPED_HCPCS.read_text(), "test", complete=False)
    assert len(code_set.codes) == 208 and not code_set.complete
    wellness = code_set.codes["G0439"]
    assert (wellness.short_description, wellness.added, wellness.terminated) == (
        "Ppps, subseq visit", dt.date(2011, 1, 1), None)
    assert code_set.codes["J9310"].terminated == dt.date(2018, 12, 31)


def test_hcpcs_continuation_and_modifier_records_are_not_codes() -> None:
    code_set = read_hcpcs_csv((FIXTURES / "hcpcs_small.csv").read_text(), "test", complete=True)
    assert sorted(code_set.codes) == ["G0297", "G0439"]
    ldct = code_set.codes["G0297"]
    assert ldct.active_on(dt.date(2020, 12, 31)) and not ldct.active_on(dt.date(2021, 1, 1))


@pytest.mark.parametrize("text, problem", [
    ("", "empty"),
    ("HCPC,SEQNUM,LONG DESCRIPTION\nG0439,00100,x\n", "missing columns RECID, SHORTDESCRIPTION, ADDDT, TERMDT"),
])
def test_hcpcs_files_off_the_layout_are_refused(text: str, problem: str) -> None:
    with pytest.raises(HcpcsImportError, match=problem):
        read_hcpcs_csv(text, "test", complete=True)


def test_hcpcs_bad_date_names_its_row() -> None:
    lines = (FIXTURES / "hcpcs_small.csv").read_text().splitlines()
    broken = "\n".join([lines[0], lines[3].replace("20110101", "2011-01-01", 1)])
    with pytest.raises(HcpcsImportError, match="row 2: ADD DT"):
        read_hcpcs_csv(broken, "test", complete=True)


def test_cpt_descriptor_file_of_made_up_text() -> None:
    descriptors = read_cpt_descriptors((FIXTURES / "cpt_descriptors_madeup.tsv").read_text(), "practice file")
    assert sorted(descriptors.descriptors) == ["0001F", "20610", "99213"] and descriptors.loaded


@pytest.mark.parametrize("text, problem", [
    ("99213 no tab here\n", "line 1: expected code<TAB>descriptor"),
    ("99213\tok\nG0439\tnot a CPT code\n", "line 2: 'G0439' is not a CPT code"),
])
def test_cpt_descriptor_lines_off_the_layout_are_refused(text: str, problem: str) -> None:
    with pytest.raises(CptImportError, match=problem):
        read_cpt_descriptors(text, "practice file")
