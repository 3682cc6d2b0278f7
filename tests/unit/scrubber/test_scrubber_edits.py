"""Every edit in the library, table-driven: each has at least one case that fires and one that does not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.submission.domain.scrubber import LIBRARY
from tests.unit.scrubber.scrub_claims import TODAY, Change, coverage, days_ago, pointers_of, scrub


def setting(*path: str | int, to: Any) -> Change:
    """A change setting the value at path (the last step may be a new key)."""

    def change(claim: dict[str, Any]) -> None:
        target: Any = claim
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = to

    return change


def removing(*path: str | int) -> Change:
    def change(claim: dict[str, Any]) -> None:
        target: Any = claim
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def all_of(*changes: Change) -> Change:
    def change(claim: dict[str, Any]) -> None:
        for each in changes:
            each(claim)

    return change


DRUG = {"ndc": "00002143380", "quantity": "1.5", "unit": "ML"}
SECONDARY = setting("coverages", to=[coverage("primary"), coverage("secondary", "SECPAY")])

# (edit id, case, change to the clean claim, context overrides, pointers expected from that edit)
CASES: list[tuple[str, str, Change | None, dict[str, Any], list[str]]] = [
    ("SCR-NPI-001", "bad check digit", setting("billing_provider", "npi", to="1234567890"), {},
     ["/billing_provider/npi"]),
    ("SCR-NPI-001", "missing", removing("billing_provider", "npi"), {}, ["/billing_provider/npi"]),
    ("SCR-NPI-001", "valid", None, {}, []),
    ("SCR-TIN-001", "with a dash", setting("billing_provider", "tax_id", to="37-1234567"), {},
     ["/billing_provider/tax_id"]),
    ("SCR-TIN-001", "missing", removing("billing_provider", "tax_id"), {}, ["/billing_provider/tax_id"]),
    ("SCR-TIN-001", "nine digits", None, {}, []),
    ("SCR-TAX-001", "too short", setting("billing_provider", "taxonomy", to="207Q0000X"), {},
     ["/billing_provider/taxonomy"]),
    ("SCR-TAX-001", "NUCC code", None, {}, []),
    ("SCR-TAX-002", "not NUCC", setting("rendering_provider", "taxonomy", to="BADTAXONOM"), {},
     ["/rendering_provider/taxonomy"]),
    ("SCR-TAX-002", "absent", setting("rendering_provider", "taxonomy", to=None), {}, []),
    ("SCR-TAX-002", "no rendering provider", setting("rendering_provider", to=None), {}, []),
    ("SCR-DX-001", "repeat written differently", setting("diagnoses", to=["E11.65", "I10", "e1165"]), {},
     ["/diagnoses/2"]),
    ("SCR-DX-001", "distinct", None, {}, []),
    ("SCR-DX-002", "past the list", setting("service_lines", 0, "diagnosis_pointers", to=[1, 3]), {},
     ["/service_lines/0/diagnosis_pointers/1"]),
    ("SCR-DX-002", "zero", setting("service_lines", 1, "diagnosis_pointers", to=[0]), {},
     ["/service_lines/1/diagnosis_pointers/0"]),
    ("SCR-DX-002", "within the list", None, {}, []),
    ("SCR-DX-003", "external cause first", setting("diagnoses", to=["W19.XXXA", "S72.001A"]), {},
     ["/diagnoses/0"]),
    ("SCR-DX-003", "external cause second", setting("diagnoses", to=["S72.001A", "W19.XXXA"]), {}, []),
    ("SCR-DX-004", "sequela first", setting("diagnoses", to=["S72.001S", "M21.751"]), {}, ["/diagnoses/0"]),
    ("SCR-DX-004", "initial encounter first", setting("diagnoses", to=["S72.001A", "W19.XXXA"]), {}, []),
    ("SCR-NDC-001", "with dashes", setting("service_lines", 1, "drug", to=DRUG | {"ndc": "0002-1433-80"}), {},
     ["/service_lines/1/drug/ndc"]),
    ("SCR-NDC-001", "ten digits", setting("service_lines", 0, "drug", to=DRUG | {"ndc": "0002143380"}), {},
     ["/service_lines/0/drug/ndc"]),
    ("SCR-NDC-001", "11 digits", setting("service_lines", 1, "drug", to=DRUG), {}, []),
    ("SCR-NDC-001", "no drug on the line", None, {}, []),
    ("SCR-NDC-002", "zero quantity", setting("service_lines", 1, "drug", to=DRUG | {"quantity": "0"}), {},
     ["/service_lines/1/drug/quantity"]),
    ("SCR-NDC-002", "no quantity", setting("service_lines", 1, "drug", to={"ndc": "00002143380", "unit": "ML"}),
     {}, ["/service_lines/1/drug/quantity"]),
    ("SCR-NDC-002", "positive quantity", setting("service_lines", 1, "drug", to=DRUG), {}, []),
    ("SCR-CHG-001", "zero charges",
     all_of(setting("service_lines", 0, "charge", to="0.00"), setting("service_lines", 1, "charge", to="0")), {},
     ["/service_lines"]),
    ("SCR-CHG-001", "positive total", None, {}, []),
    ("SCR-FRQ-001", "interim bill on a professional claim", None, {"frequency_code": "2"}, ["/claim_type"]),
    ("SCR-FRQ-001", "adjustment 6 on an institutional claim", setting("claim_type", to="institutional"),
     {"frequency_code": "6"}, ["/claim_type"]),
    ("SCR-FRQ-001", "interim bill on an institutional claim", setting("claim_type", to="institutional"),
     {"frequency_code": "2"}, []),
    ("SCR-FRQ-001", "replacement on a professional claim", None,
     {"frequency_code": "7", "payer_claim_control_number": "PCCN1"}, []),
    ("SCR-PCN-001", "replacement without it", None, {"frequency_code": "7"}, [""]),
    ("SCR-PCN-001", "void with a blank one", None, {"frequency_code": "8", "payer_claim_control_number": " "},
     [""]),
    ("SCR-PCN-001", "void with it", None, {"frequency_code": "8", "payer_claim_control_number": "PCCN1"}, []),
    ("SCR-PCN-002", "original with one", None, {"payer_claim_control_number": "PCCN1"}, [""]),
    ("SCR-PCN-002", "original without", None, {}, []),
    ("SCR-DOB-001", "born tomorrow", setting("patient", "date_of_birth", to=days_ago(-1)), {},
     ["/patient/date_of_birth"]),
    ("SCR-DOB-001", "150 today", setting("patient", "date_of_birth", to=TODAY.replace(year=TODAY.year - 150)
                                         .isoformat()), {}, ["/patient/date_of_birth"]),
    ("SCR-DOB-001", "150 tomorrow", setting("patient", "date_of_birth", to=(
        TODAY.replace(year=TODAY.year - 150) + dt.timedelta(days=1)).isoformat()), {}, []),
    ("SCR-DOB-001", "born today", setting("patient", "date_of_birth", to=TODAY.isoformat()), {}, []),
    ("SCR-COV-001", "no primary", setting("coverages", to=[coverage("secondary")]), {}, ["/coverages"]),
    ("SCR-COV-001", "two primaries", setting("coverages", to=[coverage("primary"), coverage("primary")]), {},
     ["/coverages"]),
    ("SCR-COV-001", "primary and secondary", SECONDARY, {}, []),
    ("SCR-COV-002", "two secondaries",
     setting("coverages", to=[coverage("primary"), coverage("secondary"), coverage("secondary")]), {},
     ["/coverages/2/priority"]),
    ("SCR-COV-002", "one of each", setting("coverages", to=[coverage("primary"), coverage("secondary"),
                                                            coverage("tertiary")]), {}, []),
    ("SCR-TFL-001", "two years ago", setting("date_of_service", to=days_ago(730)), {}, ["/date_of_service"]),
    ("SCR-TFL-001", "the payer's shorter limit",
     all_of(setting("coverages", 0, "payer", "payer_id", to="SHORTPAY"), setting("date_of_service",
                                                                                to=days_ago(181))), {},
     ["/date_of_service"]),
    ("SCR-TFL-001", "a line dated earlier than the claim",
     setting("service_lines", 1, "date_of_service", to=days_ago(400)), {}, ["/service_lines/1/date_of_service"]),
    ("SCR-TFL-001", "on the last day", setting("date_of_service", to=days_ago(365)), {}, []),
    ("SCR-TFL-001", "the payer's shorter limit, in time",
     all_of(setting("coverages", 0, "payer", "payer_id", to="SHORTPAY"), setting("date_of_service",
                                                                                to=days_ago(180))), {}, []),
    ("SCR-TFL-001", "secondary long after service, primary paid recently",
     all_of(SECONDARY, setting("date_of_service", to=days_ago(400))),
     {"billed_priority": "secondary", "primary_paid_on": TODAY - dt.timedelta(days=30)}, []),
    ("SCR-TFL-001", "secondary, primary paid too long ago", SECONDARY,
     {"billed_priority": "secondary", "primary_paid_on": TODAY - dt.timedelta(days=366)}, ["/coverages"]),
    ("SCR-TFL-001", "secondary without the primary's payment date",
     all_of(SECONDARY, setting("date_of_service", to=days_ago(400))), {"billed_priority": "secondary"},
     ["/date_of_service"]),
    ("SCR-TFL-002", "a week left", setting("date_of_service", to=days_ago(358)), {}, ["/date_of_service"]),
    ("SCR-TFL-002", "months left", setting("date_of_service", to=days_ago(300)), {}, []),
    ("SCR-TFL-002", "already past (that is SCR-TFL-001)", setting("date_of_service", to=days_ago(366)), {}, []),
]


@pytest.mark.parametrize(("edit_id", "change", "context", "expected"),
                         [pytest.param(edit_id, change, context, expected, id=f"{edit_id}: {case}")
                          for edit_id, case, change, context, expected in CASES])
def test_edit(edit_id: str, change: Change | None, context: dict[str, Any], expected: list[str]) -> None:
    result = scrub(change, **context)

    assert pointers_of(result, edit_id) == expected
    for finding in result.findings:
        if finding.edit_id == edit_id:
            edit = LIBRARY.edit(edit_id)
            assert (finding.severity, finding.message, finding.fix_hint) == (edit.severity, edit.message,
                                                                              edit.fix_hint)


def test_every_edit_has_a_firing_and_a_passing_case() -> None:
    firing = {edit_id for edit_id, _case, _change, _context, expected in CASES if expected}
    passing = {edit_id for edit_id, _case, _change, _context, expected in CASES if not expected}
    library = {edit.edit_id for edit in LIBRARY.edits}
    assert firing == library
    assert passing == library
