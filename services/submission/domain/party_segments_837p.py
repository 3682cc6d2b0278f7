"""837P segments that describe parties: billing provider, subscriber, payer, patient and their addresses."""

from __future__ import annotations

from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.x12_values import segment, x12_date, x12_identifier, x12_text
from shared.contracts.encounter import Address, BillingProvider, Coverage, Payer, Person

Segments = list[list[str]]

# PAT01 / SBR02 individual relationship codes (X222A1): the patient's relationship to the subscriber.
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
PAYER_RESPONSIBILITY_CODES = {"primary": "P", "secondary": "S", "tertiary": "T"}

NAME_LAST_MAX = 60
NAME_FIRST_MAX = 35
ORGANIZATION_MAX = 60
ADDRESS_LINE_MAX = 55
CITY_MAX = 30
MEMBER_ID_MAX = 80


def address_segments(address: Address, field: str) -> Segments:
    """N3 and N4 for a US address."""
    line2 = x12_text(address.line2, f"{field}.line2", ADDRESS_LINE_MAX) if address.line2 else ""
    return [
        segment("N3", x12_text(address.line1, f"{field}.line1", ADDRESS_LINE_MAX), line2),
        segment(
            "N4",
            x12_text(address.city, f"{field}.city", CITY_MAX),
            address.state,
            address.postal_code,
        ),
    ]


def person_name(
    entity_code: str,
    person_last: str,
    person_first: str,
    field: str,
    id_qualifier: str = "",
    identifier: str = "",
) -> list[str]:
    """NM1 for an individual (NM102 = 1)."""
    return segment(
        "NM1",
        entity_code,
        "1",
        x12_text(person_last, f"{field}.last_name", NAME_LAST_MAX),
        x12_text(person_first, f"{field}.first_name", NAME_FIRST_MAX),
        "",
        "",
        "",
        id_qualifier,
        identifier,
    )


def organization_name(
    entity_code: str, name: str, field: str, id_qualifier: str = "", identifier: str = ""
) -> list[str]:
    """NM1 for an organisation (NM102 = 2)."""
    return segment(
        "NM1",
        entity_code,
        "2",
        x12_text(name, field, ORGANIZATION_MAX),
        "",
        "",
        "",
        "",
        id_qualifier,
        identifier,
    )


def demographics(person: Person) -> list[str]:
    """DMG with date of birth and sex."""
    return segment("DMG", "D8", x12_date(person.date_of_birth), person.sex)


def billing_provider_loops(provider: BillingProvider, hl_id: int) -> Segments:
    """2000A billing provider HL with its taxonomy, then 2010AA name, address and tax id."""
    return [
        segment("HL", str(hl_id), "", "20", "1"),
        segment("PRV", "BI", "PXC", provider.taxonomy),
        organization_name(
            "85", provider.organization_name, "billing_provider.organization_name", "XX", provider.npi
        ),
        *address_segments(provider.address, "billing_provider.address"),
        segment("REF", "EI", provider.tax_id),
    ]


def member_id(coverage: Coverage, field: str) -> str:
    """The coverage's member id, checked to travel unchanged."""
    return x12_identifier(coverage.member_id, f"{field}.member_id", MEMBER_ID_MAX)


def group_number(coverage: Coverage, field: str) -> str:
    """SBR03, or empty when the plan has no group."""
    return x12_identifier(coverage.group_number, f"{field}.group_number", 50) if coverage.group_number else ""


def payer_name(field: str, payer: Payer) -> list[str]:
    """NM1*PR with the payer id (PI)."""
    return organization_name(
        "PR",
        payer.name,
        f"{field}.payer.name",
        "PI",
        x12_identifier(payer.payer_id, f"{field}.payer.payer_id", 80, min_length=2),
    )


def subscriber_of(coverage: Coverage, patient: Person) -> Person:
    """The coverage's subscriber: the patient when the relationship is self."""
    subscriber = patient if coverage.relationship == "self" else coverage.subscriber
    if subscriber is None:  # the Encounter contract already refuses this; kept for type narrowing
        raise InvalidBillableClaim("coverage.subscriber is required when relationship is not self")
    return subscriber


def subscriber_loops(coverage: Coverage, patient: Person, hl_id: int, parent_hl_id: int) -> Segments:
    """2000B subscriber HL with SBR, 2010BA subscriber and 2010BB payer, for the coverage being billed."""
    patient_is_subscriber = coverage.relationship == "self"
    subscriber = subscriber_of(coverage, patient)
    return [
        # HL04 says whether a patient HL (23) follows: only when the patient is a dependent.
        segment("HL", str(hl_id), str(parent_hl_id), "22", "0" if patient_is_subscriber else "1"),
        segment(
            "SBR",
            PAYER_RESPONSIBILITY_CODES[coverage.priority],
            "18" if patient_is_subscriber else "",
            group_number(coverage, "coverage"),
            "",
            "",
            "",
            "",
            "",
            coverage.claim_filing_indicator,
        ),
        person_name(
            "IL",
            subscriber.last_name,
            subscriber.first_name,
            "subscriber",
            "MI",
            member_id(coverage, "coverage"),
        ),
        *address_segments(subscriber.address, "subscriber.address"),
        demographics(subscriber),
        payer_name("coverage", coverage.payer),
    ]


def patient_loops(coverage: Coverage, patient: Person, hl_id: int, parent_hl_id: int) -> Segments:
    """2000C patient HL with PAT and 2010CA name, address, demographics (dependents only)."""
    return [
        segment("HL", str(hl_id), str(parent_hl_id), "23", "0"),
        segment("PAT", RELATIONSHIP_CODES[coverage.relationship]),
        person_name("QC", patient.last_name, patient.first_name, "patient"),
        *address_segments(patient.address, "patient.address"),
        demographics(patient),
    ]
