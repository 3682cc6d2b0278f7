"""The import command installs a full quarter into a reference directory the service then reads."""

from __future__ import annotations

import json
from pathlib import Path

from services.coding.adapters.reference_import.__main__ import main
from services.coding.adapters.reference_import.import_commands import prepare
from services.coding.adapters.reference_import.reference_files import SHIPPED, read_reference

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "coding"


def test_a_ptp_quarter_replaces_the_shipped_extract(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    quarter = [SHIPPED / "ncci" / "ccipra-v324r0-f1_extract.txt", FIXTURES / "ptp_dated_edits.txt"]
    assert main(["ncci-ptp", "--dir", str(directory), "--release", "test 2027Q1", *map(str, quarter)]) == 0
    assert "20 PTP edits" in capsys.readouterr().out
    reference = read_reference(directory)
    assert reference.ptp.release == "test 2027Q1" and ("29881", "29880") in reference.ptp.edits


def test_hcpcs_and_cpt_files_load_and_the_check_reports_them(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    assert main(["hcpcs", "--dir", str(directory), "--release", "test HCPCS",
                 str(FIXTURES / "hcpcs_small.csv")]) == 0
    assert main(["cpt", "--dir", str(directory), "--name", "practice CPT",
                 str(FIXTURES / "cpt_descriptors_madeup.tsv")]) == 0
    assert main(["check", "--dir", str(directory)]) == 0
    out = capsys.readouterr().out
    assert "HCPCS: test HCPCS: 2 codes\n" in out and "CPT descriptors: practice CPT: 3" in out
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["hcpcs"]["complete"] is True


def test_a_bad_file_is_refused_and_nothing_changes(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    assert main(["ncci-mue", "--dir", str(directory), "--release", "bad", str(FIXTURES / "hcpcs_small.csv")]) == 1
    assert "refused: no 'HCPCS/CPT Code' header row" in capsys.readouterr().err
    assert not (directory / "manifest.json").exists()


ADDENDA_2027 = SHIPPED / "icd10cm" / "icd10cm_order_addenda_2027.txt"


def _fy2026_only(directory: Path) -> None:
    """A reference directory as it shipped before FY2027: the package's FY2026 release alone."""
    manifest = prepare(directory)  # a copy of the shipped directory
    manifest["icd10cm"] = manifest["icd10cm"][:1]
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_the_yearly_addenda_make_the_next_release_from_the_one_before(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    _fy2026_only(directory)
    capsys.readouterr()
    assert main(["icd10cm-addenda", "--dir", str(directory), str(ADDENDA_2027)]) == 0
    assert capsys.readouterr().out == (
        "ICD-10-CM FY2027 (2026-10-01 to 2027-09-30) from ICD-10-CM FY2026 (April 1, 2026 update): 74879 billable "
        "codes, 190 added, 30 deleted, 4 revised\n")
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["icd10cm"][1] == {
        "name": "ICD-10-CM FY2027", "effective_from": "2026-10-01", "effective_through": "2027-09-30",
        "files": {"previous": "ICD-10-CM FY2026 (April 1, 2026 update)",
                  "addenda": "icd10cm/icd10cm_order_addenda_2027.txt"}}
    assert (directory / "icd10cm" / "icd10cm_order_addenda_2027.txt").read_bytes() == ADDENDA_2027.read_bytes()
    fy2027 = read_reference(directory).icd10cm.releases[1]
    assert len(fy2027.billable) == 74_879 and fy2027.is_billable("C7831") and not fy2027.is_valid("T528X2D")


def test_addenda_that_do_not_fit_the_release_before_are_refused_and_nothing_changes(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    _fy2026_only(directory)
    before = (directory / "manifest.json").read_text()
    wrong = tmp_path / "icd10cm_order_addenda_2027.txt"
    wrong.write_text(ADDENDA_2027.read_text().replace("74719 codes in", "70000 codes in"))
    capsys.readouterr()
    assert main(["icd10cm-addenda", "--dir", str(directory), str(wrong)]) == 1
    assert "refused: the addenda count 70000 codes in the FY2026 order file" in capsys.readouterr().err
    assert (directory / "manifest.json").read_text() == before
    assert (directory / "icd10cm" / "icd10cm_order_addenda_2027.txt").read_bytes() == ADDENDA_2027.read_bytes()


def test_a_release_others_are_derived_from_is_not_replaced_from_under_them(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "reference"
    assert main(["icd10cm-addenda", "--dir", str(directory), "--name", "FY2027 again", "--from", "2026-09-01",
                 "--through", "2027-09-30", "--previous", "ICD-10-CM FY2026 (April 1, 2026 update)",
                 str(ADDENDA_2027)]) == 1
    assert "ICD-10-CM FY2026 (April 1, 2026 update) would be replaced" in capsys.readouterr().err
