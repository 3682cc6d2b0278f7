"""The import command installs a full quarter into a reference directory the service then reads."""

from __future__ import annotations

import json
from pathlib import Path

from services.coding.adapters.reference_import.__main__ import main
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
