"""FHIR R4 Claim -> Encounter: fixtures map field by field; every bad input is named by its FHIR path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.intake.adapters.encounter_draft import EncounterMappingFailed
from services.intake.adapters.fhir import claim_to_encounter
from services.intake.domain.validation import encounter_violations
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fhir"
# Values from the fixtures that are PHI: none may ever appear in an error.
PHI = ["Lopez", "Maria", "1984-03-09", "XJH123456701", "410 Elm", "PT-88812", "Okafor", "Benjamin", "2017-05-21",
       "BCB998877001", "polyuria", "ankle"]


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def errors_of(document: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    with pytest.raises(EncounterMappingFailed) as failed:
        claim_to_encounter(document, **kwargs)
    text = json.dumps(failed.value.errors)
    assert not [value for value in PHI if value.lower() in text.lower()], text
    return failed.value.errors


def pointers(errors: list[dict[str, Any]]) -> set[str]:
    return {str(error["pointer"]) for error in errors}


def test_established_patient_maps_to_the_example_encounter() -> None:
    encounter = claim_to_encounter(fixture("claim_established_patient.json"))
    assert encounter == Encounter.model_validate(example_encounter())


def test_dependent_child_with_two_coverages_and_three_lines() -> None:
    encounter = claim_to_encounter(fixture("claim_dependent_child.json"))
    assert encounter.external_id == "PED-2026-7731"
    patient = encounter.patient
    # the official name, not the nickname; the home address, not the old one; extra lines join line2
    assert (patient.first_name, patient.last_name, patient.sex, patient.date_of_birth) == (
        "Benjamin", "Okafor", "M", dt.date(2017, 5, 21))
    assert (patient.address.line1, patient.address.line2, patient.address.postal_code) == (
        "77 Sunset Blvd", "Suite 300, Back door", "78702")
    assert patient.account_number == "MRN-40021"
    primary, secondary = encounter.coverages  # ordered by insurance sequence, not array order
    assert (primary.priority, primary.payer.payer_id, primary.member_id, primary.claim_filing_indicator) == (
        "primary", "BCBS01", "BCB998877001", "BL")
    assert primary.relationship == "child" and primary.subscriber is not None
    assert (primary.subscriber.first_name, primary.subscriber.sex) == ("Ada", "F")  # a RelatedPerson
    assert (secondary.priority, secondary.payer.payer_id, secondary.group_number) == ("secondary", "HMO42", "G-7710")
    assert secondary.subscriber is not None and secondary.subscriber.sex == "U"  # no gender stated
    assert encounter.prior_authorization == "PA-55120"
    assert encounter.billing_provider.tax_id == "370000001" and encounter.billing_provider.taxonomy == "208D00000X"
    assert encounter.billing_provider.address.postal_code == "787010042"
    assert encounter.rendering_provider is not None and encounter.rendering_provider.taxonomy == "207X00000X"
    assert encounter.referring_provider is not None and encounter.referring_provider.npi == "1200000002"
    assert encounter.service_facility is not None and encounter.service_facility.npi == "1300000001"
    # diagnosis sequence 1 is the second array entry: the pointers follow the sequence numbers
    assert encounter.diagnoses == ["S93.401A", "W19.XXXA"]
    assert [(line.procedure_code, line.modifiers, line.units, line.charge, line.diagnosis_pointers)
            for line in encounter.service_lines] == [
        ("73610", ["RT", "26"], Decimal("1"), Decimal("96.50"), [1, 2]),
        ("Q4049", ["RT"], Decimal("2"), Decimal("24.50"), [1]),  # unitPrice x quantity
        ("97110", ["GP", "59", "XU"], Decimal("1.5"), Decimal("60.00"), [1]),
    ]
    assert encounter.date_of_service == dt.date(2026, 10, 14)
    assert encounter.date_of_service_through == dt.date(2026, 10, 15)
    assert [line.date_of_service for line in encounter.service_lines] == [None, dt.date(2026, 10, 15)] * 1 + [
        dt.date(2026, 10, 15)]
    assert encounter.place_of_service == "22"  # stated on one item, inherited by the others
    assert encounter.clinical_note is not None and encounter.clinical_note.startswith("9-year-old")


def test_self_coverage_without_relationship_and_icd_codes_without_dots() -> None:
    document = fixture("claim_established_patient.json")
    coverage = document["contained"][1]
    del coverage["relationship"]
    document["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "e1165"
    encounter = claim_to_encounter(document)
    assert encounter.coverages[0].relationship == "self" and encounter.diagnoses[0] == "E11.65"


Mutation = Callable[[dict[str, Any]], object]


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
        target: Any = document
        for part in parents:
            target = target[part]
        target[last] = value
    return mutate


def _drop(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
        target: Any = document
        for part in parents:
            target = target[part]
        del target[last]
    return mutate


CPT = "http://www.ama-assn.org/go/cpt"
INVALID = [
    ("not a Claim", _set("/resourceType", "ExplanationOfBenefit"), "/resourceType"),
    ("unsupported contained resource", lambda d: d["contained"].append({"resourceType": "Observation"}),
     "/contained/5/resourceType"),
    ("unknown Claim element", _set("/colour", "blue"), "/colour"),
    ("impossible birth date", _set("/contained/0/birthDate", "1984-13-09"), "/contained/0/birthDate"),
    ("partial birth date", _set("/contained/0/birthDate", "1984-03"), "/contained/0/birthDate"),
    ("no claim identifier", _drop("/identifier"), "/identifier/0/value"),
    ("draft claim", _set("/status", "draft"), "/status"),
    ("preauthorization", _set("/use", "preauthorization"), "/use"),
    ("procedure in LOINC", _set("/item/0/productOrService/coding/0/system", "http://loinc.org"),
     "/item/0/productOrService"),
    ("procedure code malformed", _set("/item/1/productOrService/coding/0/code", "8303"), "/item/1/productOrService"),
    ("diagnosis in SNOMED only", _set("/diagnosis/1/diagnosisCodeableConcept/coding/0/system",
                                      "http://snomed.info/sct"), "/diagnosis/1/diagnosisCodeableConcept"),
    ("pointer to no diagnosis", _set("/item/0/diagnosisSequence", [1, 9]), "/item/0/diagnosisSequence/1"),
    ("five modifiers", _set("/item/0/modifier", [{"coding": [{"code": m}]} for m in ["25", "59", "LT", "XU", "GT"]]),
     "/item/0/modifier"),
    ("no charge", lambda d: [d["item"][1].pop("unitPrice")], "/item/1/unitPrice/value"),
    ("total differs", _set("/total/value", 300), "/total/value"),
    ("bad NPI check digit", _set("/contained/3/identifier/0/value", "1234567890"), "/contained/3/identifier/0/value"),
    ("billing ZIP not 9 digits", _set("/contained/3/address/0/postalCode", "62701"),
     "/contained/3/address/0/postalCode"),
    ("billing provider without TIN", lambda d: d["contained"][3]["identifier"].pop(1), "/contained/3/identifier"),
    ("patient not contained", _set("/patient/reference", "Patient/123"), "/patient/reference"),
    ("billing provider is a Practitioner", _set("/provider/reference", "#rendering"), "/provider/reference"),
    ("coverage type without X12 code", _set("/contained/1/type/coding/0/system", "http://example.org"),
     "/contained/1/type"),
    ("two focal insurances", lambda d: d["insurance"].append({"sequence": 2, "focal": True,
                                                              "coverage": {"reference": "#coverage"}}), "/insurance"),
    ("items in two places", _set("/item/1/locationCodeableConcept/coding/0/code", "22"), "/item"),
    ("no place of service", lambda d: [item.pop("locationCodeableConcept") for item in d["item"]],
     "/item/0/locationCodeableConcept"),
    ("dependent without subscriber", _set("/contained/1/relationship/coding/0/code", "spouse"),
     "/contained/1/subscriber"),
]


@pytest.mark.parametrize(("mutate", "pointer"), [(m, p) for _, m, p in INVALID], ids=[i for i, _, _ in INVALID])
def test_invalid_claims_name_the_fhir_path(mutate: Mutation, pointer: str) -> None:
    document = copy.deepcopy(fixture("claim_established_patient.json"))
    mutate(document)
    assert pointer in pointers(errors_of(document))


def test_every_problem_is_reported_at_once() -> None:
    document = fixture("claim_established_patient.json")
    for mutate in (_set("/contained/0/birthDate", "1984-03"), _set("/item/0/diagnosisSequence", [3]),
                   _set("/contained/3/address/0/postalCode", "62701")):
        mutate(document)
    assert {"/contained/0/birthDate", "/item/0/diagnosisSequence/0",
            "/contained/3/address/0/postalCode"} <= pointers(errors_of(document))


def test_intake_rules_are_reported_at_fhir_paths() -> None:
    document = fixture("claim_established_patient.json")
    document["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "E11"  # a category, not billable
    errors = errors_of(document, rules=lambda e: encounter_violations(e, today=dt.date(2026, 11, 27)))
    assert [(e["pointer"], e["field"]) for e in errors] == [("/diagnosis/0/diagnosisCodeableConcept", "/diagnoses/0")]
