"""The CMS-1500 (02/12) is filled from the claim data and rendered as a real PDF whose text reads back."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.submission.adapters.cms1500_pdf import render_cms1500
from services.submission.domain.cms1500_form import ClaimOnPaper, cms1500_pages
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.secondary_claim import prior_payer_adjudication
from services.submission.domain.submission_plan import line_control_numbers_for
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter
from tests.unit.submission_corrections.corrected_claims import PCN, primary_paid, with_secondary
from tests.unit.submission_corrections.test_claim_correction import _institutional

DIAGNOSES = ["E11.65", "I10", "J06.9", "R05.9", "M54.50", "Z00.00", "E78.5", "F41.1", "K21.9", "N39.0", "J45.909",
             "M25.561"]


def _long_claim(lines: int = 14) -> Encounter:
    document = example_encounter()
    document["diagnoses"] = DIAGNOSES
    document["referring_provider"] = {"npi": "1245319599", "first_name": "Ellie", "last_name": "Sattler"}
    document["prior_authorization"] = "AUTH77821"
    document["service_lines"] = [{
        "procedure_code": "J3420" if index == 3 else "99213", "modifiers": ["25", "59"] if index == 0 else [],
        "units": 1, "charge": f"{10 + index}.25", "diagnosis_pointers": [index % 12 + 1, (index + 1) % 12 + 1],
        **({"drug": {"ndc": "00378180001", "quantity": "2.5", "unit": "ML"}} if index == 3 else {}),
    } for index in range(lines)]
    return Encounter.model_validate(document)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_six_lines_per_page_and_the_total_on_the_last() -> None:
    encounter = _long_claim(14)
    pages = cms1500_pages(ClaimOnPaper(encounter=encounter, patient_account_number=PCN))
    assert [len(p.lines) for p in pages] == [6, 6, 2]
    assert [p.boxes["28"] for p in pages] == ["CONTINUED", "CONTINUED", f"{encounter.total_charge:.2f}"]
    text = _text(render_cms1500(pages))
    assert len(text) == 3
    assert "PAGE 3 OF 3" in text[2] and "CONTINUED" in text[0]
    assert f"{encounter.total_charge:.2f}" in text[2] and encounter.total_charge == Decimal("234.50")


def test_key_boxes_read_back_from_the_pdf() -> None:
    encounter = _long_claim(7)
    text = _text(render_cms1500(cms1500_pages(ClaimOnPaper(
        encounter=encounter, patient_account_number=PCN, signed_on=dt.date(2026, 11, 27)))))
    first = text[0]
    for expected in ("XJH123456701", "Lopez, Maria", "03 09 1984 F", "410 Elm Street, Springfield, IL 627011234",
                     "SELF", "GROUP HEALTH PLAN", "371234567 EIN", PCN, "1234567893", "ZZ207Q00000X",
                     "DN Sattler, Ellie", "1245319599", "AUTH77821", "Springfield Family Medicine",
                     "ICD IND. 0", "A. E11.65", "L. M25.561", "Alan Grant 11 27 2026"):
        assert expected in first, expected
    # 24A-J of the first line: date, POS, CPT, modifiers, pointers as letters, charge, units, rendering NPI.
    assert "11 02 26" in first and "99213" in first and "25 59" in first and "AB" in first
    assert "10.25" in first and "1987654328" in first
    assert "N400378180001 ML2.5" in first  # the shaded supplemental line of the drug line


def test_replacement_fills_box_22_and_an_original_leaves_it_empty() -> None:
    encounter = Encounter.model_validate(example_encounter())
    replacement = cms1500_pages(ClaimOnPaper(encounter=encounter, patient_account_number=PCN, frequency_code="7",
                                             payer_claim_control_number="26331ABC0000001"))[0]
    original = cms1500_pages(ClaimOnPaper(encounter=encounter, patient_account_number=PCN))[0]
    assert replacement.boxes["22"] == "7 26331ABC0000001"
    assert "22" not in original.boxes
    assert "7 26331ABC0000001" in _text(render_cms1500([replacement]))[0]


def test_secondary_bill_names_the_secondary_insured_and_the_primary_in_box_9() -> None:
    encounter = with_secondary()
    adjudication = prior_payer_adjudication(primary_paid(), PCN, line_control_numbers_for(PCN, 2, 2))
    page = cms1500_pages(ClaimOnPaper(encounter=encounter, patient_account_number=PCN,
                                      prior_payer_adjudication=adjudication))[0]
    assert page.boxes["1a"] == "SEC778899" and page.boxes["4"] == "Lopez, Carlos" and page.boxes["6"] == "SPOUSE"
    assert page.boxes["9a"].startswith("XJH123456701") and page.boxes["11d"] == "YES"
    assert page.boxes["29"] == "143.60"
    primary_only = cms1500_pages(ClaimOnPaper(encounter=Encounter.model_validate(example_encounter()),
                                              patient_account_number=PCN))[0]
    assert "9" not in primary_only.boxes and primary_only.boxes["11d"] == "NO" and primary_only.boxes["29"] == ""


def test_institutional_claims_are_not_put_on_a_cms1500() -> None:
    with pytest.raises(InvalidBillableClaim):
        cms1500_pages(ClaimOnPaper(encounter=_institutional("0131"), patient_account_number=PCN))
