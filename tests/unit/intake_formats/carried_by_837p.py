"""Which Encounter fields an 837P carries, and in what form: the yardstick of the round-trip tests.

`carried_view(encounter)` keeps exactly what survives write_837p -> read_837p, normalised the way
the writer normalises it, so `carried_view(read_back) == carried_view(original)` is the round trip.
"""

from __future__ import annotations

from typing import Any

from services.submission.domain.party_segments_837p import (
    ADDRESS_LINE_MAX,
    CITY_MAX,
    NAME_FIRST_MAX,
    NAME_LAST_MAX,
    ORGANIZATION_MAX,
)
from services.submission.domain.x12_values import x12_amount, x12_decimal, x12_text
from shared.contracts.encounter import Address, Coverage, Encounter, IndividualProvider, Person, normalise_icd10

# Field -> where the 837P carries it. Free text (names, addresses) is carried folded to upper-case
# basic X12 characters (x12_text), amounts to the cent, units without trailing zeros.
CARRIED = {
    "external_id": "CLM01 (the writer puts the submission's patient control number there)",
    "place_of_service": "CLM05-1",
    "date_of_service": "only as the earliest DTP*472 line date (with date_of_service_through the latest)",
    "patient.first_name/last_name/date_of_birth/sex/address": "2010BA (self) or 2010CA NM1/N3/N4/DMG",
    "coverages[primary].payer/member_id/group_number/claim_filing_indicator": "SBR03, SBR09, NM1*IL09, NM1*PR",
    "coverages[primary].relationship": "SBR02 18 (self) or PAT01",
    "coverages[primary].subscriber": "2010BA NM1/N3/N4/DMG when the patient is a dependent",
    "coverages[other].priority/payer/member_id/group_number/claim_filing_indicator/relationship": "2320 SBR, 2330A/B",
    "coverages[other].subscriber.first_name/last_name/address": "2330A NM1/N3/N4 (no DMG: birth date and sex "
                                                                   "are not carried)",
    "billing_provider": "2000A PRV*BI, 2010AA NM1*85/N3/N4/REF*EI",
    "rendering_provider": "2310B NM1*82 + PRV*PE, only when its NPI differs from the billing NPI",
    "referring_provider.npi/first_name/last_name": "2310A NM1*DN (no taxonomy)",
    "service_facility": "2310C NM1*77/N3/N4, only when its address differs from the billing address",
    "prior_authorization": "2300 REF*G1",
    "diagnoses": "HI ABK/ABF, without the dot",
    "service_lines.procedure_code/modifiers/charge/units/diagnosis_pointers": "SV1",
    "service_lines.date_of_service": "DTP*472, always written (the line's date or the claim's)",
}
NOT_CARRIED = [
    "patient.account_number (CLM01 holds the patient control number instead)",
    "claim_type (an 837P is professional)",
    "clinical_note",
    "referring_provider.taxonomy",
    "coverages[other].subscriber.date_of_birth and sex",
    "service_lines.drug (the professional writer sends no 2410 LIN/CTP)",
]


def carried_view(encounter: Encounter) -> dict[str, Any]:
    """The encounter as far as an 837P carries it."""
    billing = encounter.billing_provider
    rendering = encounter.rendering_provider
    facility = encounter.service_facility
    primary = encounter.primary_coverage
    dates = [line.date_of_service or encounter.date_of_service for line in encounter.service_lines]
    return {
        "external_id": encounter.external_id,
        "place_of_service": encounter.place_of_service,
        "span": (min(dates), max(dates)),
        "patient": _person(encounter.patient),
        "primary": {**_coverage(primary), "subscriber": _person(primary.subscriber) if primary.subscriber else None},
        "others": sorted((_other(c) for c in encounter.coverages if c.priority != "primary"),
                         key=lambda c: c["priority"]),
        "billing_provider": {"npi": billing.npi, "tax_id": billing.tax_id, "taxonomy": billing.taxonomy,
                             "name": x12_text(billing.organization_name, "name", ORGANIZATION_MAX),
                             "address": _address(billing.address)},
        "rendering_provider": _individual(rendering, with_taxonomy=True)
        if rendering is not None and rendering.npi != billing.npi else None,
        "referring_provider": _individual(encounter.referring_provider, with_taxonomy=False),
        "service_facility": {"npi": facility.npi, "name": x12_text(facility.name, "name", ORGANIZATION_MAX),
                             "address": _address(facility.address)}
        if facility is not None and facility.address != billing.address else None,
        "prior_authorization": encounter.prior_authorization,
        "diagnoses": [normalise_icd10(code) for code in encounter.diagnoses],
        "total_charge": x12_amount(encounter.total_charge),
        "lines": [(line.procedure_code, tuple(line.modifiers), x12_amount(line.charge), x12_decimal(line.units),
                   tuple(line.diagnosis_pointers), served) for line, served in zip(encounter.service_lines, dates,
                                                                                   strict=True)],
    }


def kept_other_coverages(encounter: Encounter) -> list[Coverage]:
    """The other coverages a reader can keep: self, or a subscriber the file describes with DMG elsewhere."""
    described = [_name_and_address(encounter.patient)]
    if encounter.primary_coverage.subscriber is not None:
        described.append(_name_and_address(encounter.primary_coverage.subscriber))
    kept = [c for c in encounter.coverages if c.priority != "primary" and (
        c.relationship == "self" or (c.subscriber is not None and _name_and_address(c.subscriber) in described))]
    return [] if [c.priority for c in kept] == ["tertiary"] else kept


def _name_and_address(person: Person) -> tuple[Any, ...]:
    return (x12_text(person.last_name, "last", NAME_LAST_MAX), x12_text(person.first_name, "first", NAME_FIRST_MAX),
            _address(person.address))


def _person(person: Person) -> dict[str, Any]:
    return {"last": x12_text(person.last_name, "last", NAME_LAST_MAX),
            "first": x12_text(person.first_name, "first", NAME_FIRST_MAX),
            "date_of_birth": person.date_of_birth, "sex": person.sex, "address": _address(person.address)}


def _coverage(coverage: Coverage) -> dict[str, Any]:
    return {"payer_id": coverage.payer.payer_id, "payer_name": x12_text(coverage.payer.name, "payer", ORGANIZATION_MAX),
            "member_id": coverage.member_id, "group_number": coverage.group_number,
            "claim_filing_indicator": coverage.claim_filing_indicator, "relationship": coverage.relationship}


def _other(coverage: Coverage) -> dict[str, Any]:
    subscriber = coverage.subscriber
    return {**_coverage(coverage), "priority": coverage.priority,
            "subscriber": _name_and_address(subscriber) if subscriber is not None else None}


def _individual(provider: IndividualProvider | None, with_taxonomy: bool) -> dict[str, Any] | None:
    if provider is None:
        return None
    return {"npi": provider.npi, "last": x12_text(provider.last_name, "last", NAME_LAST_MAX),
            "first": x12_text(provider.first_name, "first", NAME_FIRST_MAX),
            "taxonomy": provider.taxonomy if with_taxonomy else None}


def _address(address: Address) -> tuple[str, str, str, str, str]:
    line2 = x12_text(address.line2, "line2", ADDRESS_LINE_MAX) if address.line2 else ""
    return (x12_text(address.line1, "line1", ADDRESS_LINE_MAX), line2, x12_text(address.city, "city", CITY_MAX),
            address.state, address.postal_code)
