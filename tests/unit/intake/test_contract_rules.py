"""Cross-field rules of the encounter contract: coverages, subscribers, diagnoses, pointers, institutional."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.contracts.encounter import Encounter
from tests.unit.intake.documents import DELETE, changed, contract_errors, institutional, pointers, professional

PRIMARY = professional()["coverages"][0]
SUBSCRIBER = {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1982-05-01", "sex": "F",
              "address": {"line1": "410 Elm Street", "city": "Springfield", "state": "IL", "postal_code": "62701"}}


def coverage(priority: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(PRIMARY), "priority": priority, **changes}


COVERAGES_VALID = {
    "one primary": [coverage("primary")],
    "primary and secondary": [coverage("primary"), coverage("secondary")],
    "all three, any order": [coverage("tertiary"), coverage("primary"), coverage("secondary")],
    "dependent with subscriber": [coverage("primary", relationship="child", subscriber=SUBSCRIBER)],
    "spouse with subscriber": [coverage("primary", relationship="spouse", subscriber=SUBSCRIBER)],
}


@pytest.mark.parametrize("case", COVERAGES_VALID)
def test_valid_coverages(case: str) -> None:
    assert contract_errors(changed(professional(), ("/coverages", COVERAGES_VALID[case]))) == []


COVERAGES_INVALID = {
    "two primaries": ([coverage("primary"), coverage("primary")], ["/coverages/1/priority"]),
    "no primary": ([coverage("secondary")], ["/coverages"]),
    "repeated secondary": ([coverage("primary"), coverage("secondary"), coverage("secondary")],
                           ["/coverages/2/priority"]),
    "tertiary without secondary": ([coverage("primary"), coverage("tertiary")], ["/coverages/1/priority"]),
    "dependent without subscriber": ([coverage("primary", relationship="child")], ["/coverages/0/subscriber"]),
    "other without subscriber": ([coverage("primary", relationship="other")], ["/coverages/0/subscriber"]),
    "self with a subscriber": ([coverage("primary", subscriber=SUBSCRIBER)], ["/coverages/0/subscriber"]),
    "bad subscriber field": ([coverage("primary", relationship="child", subscriber={**SUBSCRIBER, "sex": "Q"})],
                             ["/coverages/0/subscriber/sex"]),
    "none": ([], ["/coverages"]),
}


@pytest.mark.parametrize("case", COVERAGES_INVALID)
def test_invalid_coverages(case: str) -> None:
    value, expected = COVERAGES_INVALID[case]
    assert pointers(contract_errors(changed(professional(), ("/coverages", value)))) == expected


@pytest.mark.parametrize(("diagnoses", "expected"), [
    (["E11.65", "I10"], []),
    (["E11.65", "I10", "E11.65"], ["/diagnoses/2"]),
    (["I10", "I10", "I10"], ["/diagnoses/1", "/diagnoses/2"]),
    (["E11.65", "E11.9", "I10", "Z79.4"], []),
])
def test_diagnoses_do_not_repeat(diagnoses: list[str], expected: list[str]) -> None:
    lines = [{**professional()["service_lines"][1], "diagnosis_pointers": [1]}]
    document = changed(professional(), ("/diagnoses", diagnoses), ("/service_lines", lines))
    assert pointers(contract_errors(document)) == expected


@pytest.mark.parametrize(("line_pointers", "expected"), [
    ([1, 2], []),
    ([2], []),
    ([1, 3], ["/service_lines/1/diagnosis_pointers/1"]),
    ([3, 4], ["/service_lines/1/diagnosis_pointers/0", "/service_lines/1/diagnosis_pointers/1"]),
    ([12], ["/service_lines/1/diagnosis_pointers/0"]),
])
def test_diagnosis_pointers_stay_within_the_diagnoses(line_pointers: list[int], expected: list[str]) -> None:
    document = changed(professional(), ("/service_lines/1/diagnosis_pointers", line_pointers))
    assert pointers(contract_errors(document)) == expected


INSTITUTIONAL_FIELDS = ["type_of_bill", "admission_date", "admission_hour", "discharge_date", "discharge_hour",
                        "patient_status", "attending_provider"]


@pytest.mark.parametrize("field", INSTITUTIONAL_FIELDS)
def test_institutional_claims_require_each_institutional_field(field: str) -> None:
    errors = contract_errors(changed(institutional(), (f"/{field}", DELETE)))
    assert pointers(errors) == [f"/{field}"]
    assert errors[0]["detail"] == "is required on institutional claims"
    assert contract_errors(changed(institutional(), (f"/{field}", None))) == errors


@pytest.mark.parametrize("field", INSTITUTIONAL_FIELDS)
def test_professional_claims_need_no_institutional_field(field: str) -> None:
    assert contract_errors(changed(institutional(), ("/claim_type", "professional"), (f"/{field}", DELETE))) == []


def test_institutional_lines_need_a_revenue_code() -> None:
    document = changed(institutional(), ("/service_lines/1/revenue_code", DELETE))
    assert pointers(contract_errors(document)) == ["/service_lines/1/revenue_code"]


@pytest.mark.parametrize("field", ["attending_provider/npi", "attending_provider/last_name"])
def test_the_attending_provider_is_an_individual_provider(field: str) -> None:
    document = changed(institutional(), (f"/{field}", ""))
    assert pointers(contract_errors(document)) == [f"/{field}"]


def test_every_error_is_reported_at_once() -> None:
    document = changed(
        professional(),
        ("/billing_provider/npi", "1234567890"), ("/billing_provider/tax_id", "000000000"),
        ("/billing_provider/address/postal_code", "62701"), ("/patient/address/state", "XX"),
        ("/diagnoses", ["E11.65", "I10", "E11.65"]), ("/service_lines/0/modifiers", ["25", "25"]),
        ("/service_lines/1/charge", "-1"), ("/place_of_service", "1"), ("/surprise", True),
    )
    assert sorted(pointers(contract_errors(document))) == sorted([
        "/billing_provider/npi", "/billing_provider/tax_id", "/billing_provider/address/postal_code",
        "/patient/address/state", "/diagnoses/2", "/service_lines/0/modifiers/1", "/service_lines/1/charge",
        "/place_of_service", "/surprise"])


PHI_VALUES = ["Zebediah", "Quillfeather", "1971-07-23", "QZM7734419021", "77 Secret Lane"]


def test_contract_errors_never_echo_submitted_values() -> None:
    document = changed(
        professional(),
        ("/patient/first_name", "Zebediah" * 10), ("/patient/last_name", "Quillfeather" * 10),
        ("/patient/date_of_birth", "1971-07-23X"), ("/coverages/0/member_id", "QZM7734419021" * 10),
        ("/patient/address/line1", "77 Secret Lane" * 10), ("/coverages/0/relationship", "child"),
        ("/diagnoses/1", "Zebediah"), ("/patient/nickname", "Quillfeather 1971-07-23"),
    )
    errors = contract_errors(document)
    assert len(errors) >= 7
    text = repr(errors)
    for value in PHI_VALUES:
        assert value not in text


def test_the_contract_keeps_its_helpers() -> None:
    encounter = Encounter.model_validate(professional())
    assert encounter.primary_coverage.payer.payer_id == "SIMPAY"
    assert str(encounter.total_charge) == "227.00"
    assert encounter.date_of_service_through is None and encounter.service_lines[0].drug is None
