"""Field formats of the encounter contract, each valid and invalid, each failure at its own pointer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.intake.documents import DELETE, changed, contract_errors, institutional, pointers, professional

VALID = [
    # NPI: 10 digits, Luhn over 80840 + first nine
    ("/billing_provider/npi", "1234567893"),
    ("/rendering_provider/npi", "1987654328"),
    ("/rendering_provider/npi", "1245319599"),
    # TIN / EIN
    ("/billing_provider/tax_id", "371234567"),
    ("/billing_provider/tax_id", "010000001"),
    # taxonomy
    ("/billing_provider/taxonomy", "261QM1300X"),
    ("/rendering_provider/taxonomy", "363LF0000X"),
    ("/rendering_provider/taxonomy", None),
    # states: states, DC, territories, military
    ("/patient/address/state", "DC"),
    ("/patient/address/state", "PR"),
    ("/patient/address/state", "GU"),
    ("/patient/address/state", "VI"),
    ("/patient/address/state", "AE"),
    # ZIP: 5 or 9 digits (9 for the billing provider)
    ("/patient/address/postal_code", "62701"),
    ("/patient/address/postal_code", "627011234"),
    # CPT / HCPCS
    ("/service_lines/0/procedure_code", "99213"),
    ("/service_lines/0/procedure_code", "3074F"),
    ("/service_lines/0/procedure_code", "0042T"),
    ("/service_lines/0/procedure_code", "0001U"),
    ("/service_lines/0/procedure_code", "0001A"),
    ("/service_lines/0/procedure_code", "G0439"),
    ("/service_lines/0/procedure_code", "J3420"),
    ("/service_lines/0/procedure_code", "A0428"),
    # modifiers
    ("/service_lines/0/modifiers", ["25", "59", "LT", "XU"]),
    ("/service_lines/0/modifiers", []),
    # units and charges
    ("/service_lines/0/units", "0.25"),
    ("/service_lines/0/units", 12),
    ("/service_lines/0/charge", "0.01"),
    ("/service_lines/0/charge", "99999999.99"),
    ("/service_lines/0/charge", 42),
    # pointers
    ("/service_lines/0/diagnosis_pointers", [2, 1]),
    # NDC
    ("/service_lines/0/drug", {"ndc": "00002143380", "quantity": "1.5", "unit": "ML"}),
    ("/service_lines/0/drug", {"ndc": "12345678901", "quantity": 2, "unit": "UN"}),
    ("/service_lines/0/drug", {"ndc": "00409487601", "quantity": "0.125", "unit": "GR"}),
    ("/service_lines/0/drug", {"ndc": "00006302902", "quantity": 10, "unit": "F2"}),
    ("/service_lines/0/drug", {"ndc": "00006302902", "quantity": 10, "unit": "ME"}),
    # ICD-10-CM format (billability is intake's rule)
    ("/diagnoses", ["U07.1", "Z00.00", "S93.401A"]),
    # place of service format (the list is intake's rule)
    ("/place_of_service", "02"),
    # line date, revenue code optional on professional claims
    ("/service_lines/0/date_of_service", "2026-11-02"),
    ("/service_lines/0/revenue_code", "0510"),
    ("/prior_authorization", "AUTH-1234"),
    ("/date_of_service_through", "2026-11-04"),
]


@pytest.mark.parametrize(("path", "value"), VALID, ids=[f"{p}={v}" for p, v in VALID])
def test_valid_values_pass(path: str, value: Any) -> None:
    assert contract_errors(changed(professional(), (path, value))) == []


INVALID = [
    ("/billing_provider/npi", "1234567890", "/billing_provider/npi"),  # wrong check digit
    ("/billing_provider/npi", "123456789", "/billing_provider/npi"),
    ("/billing_provider/npi", "12345678931", "/billing_provider/npi"),
    ("/billing_provider/npi", "12345678a3", "/billing_provider/npi"),
    ("/rendering_provider/npi", "1987654320", "/rendering_provider/npi"),
    ("/billing_provider/tax_id", "000000000", "/billing_provider/tax_id"),
    ("/billing_provider/tax_id", "37-1234567", "/billing_provider/tax_id"),
    ("/billing_provider/tax_id", "37123456", "/billing_provider/tax_id"),
    ("/billing_provider/tax_id", "3712345678", "/billing_provider/tax_id"),
    ("/billing_provider/taxonomy", "207Q00000", "/billing_provider/taxonomy"),
    ("/billing_provider/taxonomy", "207q00000x", "/billing_provider/taxonomy"),
    ("/billing_provider/taxonomy", "A07Q00000X", "/billing_provider/taxonomy"),
    ("/rendering_provider/taxonomy", "207Q00000Y", "/rendering_provider/taxonomy"),
    ("/patient/address/state", "XX", "/patient/address/state"),
    ("/patient/address/state", "il", "/patient/address/state"),
    ("/patient/address/state", "ILL", "/patient/address/state"),
    ("/patient/address/state", "UM", "/patient/address/state"),
    ("/billing_provider/address/state", "ZZ", "/billing_provider/address/state"),
    ("/patient/address/postal_code", "6270", "/patient/address/postal_code"),
    ("/patient/address/postal_code", "62701-1234", "/patient/address/postal_code"),
    ("/patient/address/postal_code", "6270112", "/patient/address/postal_code"),
    ("/billing_provider/address/postal_code", "62701", "/billing_provider/address/postal_code"),
    ("/service_lines/0/procedure_code", "9921", "/service_lines/0/procedure_code"),
    ("/service_lines/0/procedure_code", "992134", "/service_lines/0/procedure_code"),
    ("/service_lines/0/procedure_code", "1234X", "/service_lines/0/procedure_code"),
    ("/service_lines/0/procedure_code", "F1234", "/service_lines/0/procedure_code"),
    ("/service_lines/0/procedure_code", "W1234", "/service_lines/0/procedure_code"),
    ("/service_lines/0/procedure_code", "g0439", "/service_lines/0/procedure_code"),
    ("/service_lines/0/modifiers", ["2"], "/service_lines/0/modifiers/0"),
    ("/service_lines/0/modifiers", ["25", "lt"], "/service_lines/0/modifiers/1"),
    ("/service_lines/0/modifiers", ["25", "59", "LT", "RT", "XU"], "/service_lines/0/modifiers"),
    ("/service_lines/0/modifiers", ["25", "59", "25"], "/service_lines/0/modifiers/2"),
    ("/service_lines/0/units", 0, "/service_lines/0/units"),
    ("/service_lines/0/units", "-1", "/service_lines/0/units"),
    ("/service_lines/0/units", "1.0001", "/service_lines/0/units"),
    ("/service_lines/0/charge", "-185.00", "/service_lines/0/charge"),
    ("/service_lines/0/charge", "0", "/service_lines/0/charge"),
    ("/service_lines/0/charge", "185.001", "/service_lines/0/charge"),
    ("/service_lines/0/charge", "100000000.00", "/service_lines/0/charge"),
    ("/service_lines/0/charge", "NaN", "/service_lines/0/charge"),
    ("/service_lines/0/charge", "abc", "/service_lines/0/charge"),
    ("/service_lines/0/diagnosis_pointers", [], "/service_lines/0/diagnosis_pointers"),
    ("/service_lines/0/diagnosis_pointers", [0], "/service_lines/0/diagnosis_pointers/0"),
    ("/service_lines/0/diagnosis_pointers", [13], "/service_lines/0/diagnosis_pointers/0"),
    ("/service_lines/0/diagnosis_pointers", [1, 2, 1, 2, 1], "/service_lines/0/diagnosis_pointers"),
    ("/service_lines/0/diagnosis_pointers", [2, 2], "/service_lines/0/diagnosis_pointers/1"),
    ("/service_lines/0/drug", {"ndc": "0002-1433-80", "quantity": 1, "unit": "ML"}, "/service_lines/0/drug/ndc"),
    ("/service_lines/0/drug", {"ndc": "0002143380", "quantity": 1, "unit": "ML"}, "/service_lines/0/drug/ndc"),
    ("/service_lines/0/drug", {"ndc": "00002143380", "quantity": 0, "unit": "ML"}, "/service_lines/0/drug/quantity"),
    ("/service_lines/0/drug", {"ndc": "00002143380", "quantity": 1, "unit": "MG"}, "/service_lines/0/drug/unit"),
    ("/service_lines/0/drug", {"ndc": "00002143380", "unit": "ML"}, "/service_lines/0/drug/quantity"),
    ("/service_lines/0/drug", {"ndc": "00002143380", "quantity": 1, "unit": "ML", "lot": "A1"},
     "/service_lines/0/drug/lot"),
    ("/diagnoses/0", "E1165", "/diagnoses/0"),
    ("/diagnoses/0", "e11.65", "/diagnoses/0"),
    ("/diagnoses/0", "E11.65123", "/diagnoses/0"),
    ("/diagnoses/0", "11.65", "/diagnoses/0"),
    ("/diagnoses", [], "/diagnoses"),
    ("/diagnoses", [f"Z{n:02d}.0" for n in range(13)], "/diagnoses"),
    ("/place_of_service", "1", "/place_of_service"),
    ("/place_of_service", "011", "/place_of_service"),
    ("/service_lines/0/date_of_service", "2026-02-30", "/service_lines/0/date_of_service"),
    ("/service_lines/0/revenue_code", "510", "/service_lines/0/revenue_code"),
    ("/date_of_service", "11/02/2026", "/date_of_service"),
    ("/claim_type", "dental", "/claim_type"),
    ("/external_id", "", "/external_id"),
    ("/external_id", DELETE, "/external_id"),
    ("/patient/sex", "X", "/patient/sex"),
    ("/coverages/0/claim_filing_indicator", "XX", "/coverages/0/claim_filing_indicator"),
    ("/coverages/0/payer/payer_id", "SIM PAY", "/coverages/0/payer/payer_id"),
    ("/service_lines", [], "/service_lines"),
    ("/type_of_bill", "131", "/type_of_bill"),
    ("/type_of_bill", "1131", "/type_of_bill"),
    ("/admission_hour", 24, "/admission_hour"),
    ("/discharge_hour", -1, "/discharge_hour"),
    ("/patient_status", "08", "/patient_status"),
    ("/patient_status", "1", "/patient_status"),
    ("/favourite_colour", "blue", "/favourite_colour"),
    ("/patient/nickname", "Mo", "/patient/nickname"),
    ("/service_lines/0/tooth", "8", "/service_lines/0/tooth"),
]


@pytest.mark.parametrize(("path", "value", "pointer"), INVALID, ids=[f"{p}={v!r}" for p, v, _ in INVALID])
def test_invalid_values_fail_at_their_pointer(path: str, value: Any, pointer: str) -> None:
    errors = contract_errors(changed(professional(), (path, value)))
    assert pointers(errors) == [pointer], errors
    assert errors[0]["detail"] and not errors[0]["detail"].startswith("Value error")


def test_fifty_lines_and_three_coverages_are_the_limits() -> None:
    line = professional()["service_lines"][1]
    coverage = professional()["coverages"][0]
    secondary = {**coverage, "priority": "secondary"}
    tertiary = {**coverage, "priority": "tertiary"}
    at_limit = changed(professional(), ("/service_lines", [line] * 50), ("/coverages", [coverage, secondary, tertiary]))
    assert contract_errors(at_limit) == []
    over = changed(at_limit, ("/service_lines", [line] * 51), ("/coverages", [coverage, secondary, tertiary, coverage]))
    assert pointers(contract_errors(over)) == ["/coverages", "/service_lines"]


def test_institutional_fields_are_validated_on_professional_claims_too() -> None:
    document = changed(professional(), ("/type_of_bill", "0131"), ("/patient_status", "30"))
    assert contract_errors(document) == []
    assert pointers(contract_errors(changed(document, ("/type_of_bill", "X131")))) == ["/type_of_bill"]


def test_the_institutional_example_is_valid() -> None:
    assert contract_errors(institutional()) == []
