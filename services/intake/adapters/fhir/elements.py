"""FHIR R4 data types read the way US professional claims use them: codings, identifiers, names, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.identifier import Identifier

# Identifier systems and code systems US claim profiles (CARIN BB, Da Vinci PAS, US Core) use.
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
TIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = frozenset({
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
})
PROCEDURE_SYSTEMS = frozenset({CPT_SYSTEM, *HCPCS_SYSTEMS})
PLACE_OF_SERVICE_SYSTEMS = frozenset({
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
    "http://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
    "https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd",
})
TAXONOMY_SYSTEM = "http://nucc.org/provider-taxonomy"
# X12 data element 1032 (claim filing indicator, SBR09), as Da Vinci PAS names X12 code lists.
CLAIM_FILING_INDICATOR_SYSTEM = "https://codesystem.x12.org/005010/1032"

Sequenced = TypeVar("Sequenced")
FHIR_GENDER_TO_SEX = {"female": "F", "male": "M", "other": "U", "unknown": "U"}


def pointer(base: str, *parts: str | int) -> str:
    """A JSON pointer below base (parts are already FHIR JSON names)."""
    return base + "".join(f"/{part}" for part in parts)


def code_in(concept: CodeableConcept | None, systems: Collection[str] | None = None) -> str | None:
    """The first coding's code whose system is one of systems (any system when None)."""
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.code and (systems is None or coding.system in systems):
            return str(coding.code)
    return None


def has_code(concept: CodeableConcept | None, codes: Collection[str]) -> bool:
    """True when any coding of the concept carries one of codes."""
    return concept is not None and any(c.code in codes for c in concept.coding or [])


def identifier_index(identifiers: Sequence[Identifier] | None, *, system: str | None = None,
                     type_codes: Collection[str] = ()) -> int | None:
    """Index of the first identifier with a value and the system, or whose type has one of type_codes."""
    for index, identifier in enumerate(identifiers or []):
        if not identifier.value:
            continue
        if system is not None and identifier.system == system:
            return index
        if type_codes and has_code(identifier.type, type_codes):
            return index
    return None


def preferred_identifier(identifiers: Sequence[Identifier] | None, type_codes: Sequence[str]) -> int | None:
    """Index of the identifier typed with the earliest of type_codes, else of the first with a value."""
    for code in type_codes:
        found = identifier_index(identifiers, type_codes=(code,))
        if found is not None:
            return found
    return next((i for i, identifier in enumerate(identifiers or []) if identifier.value), None)


def preferred_index(items: Sequence[Any] | None, use: str) -> int | None:
    """Index of the first item whose `use` is use (official name, home address), else 0; None if empty."""
    if not items:
        return None
    return next((i for i, item in enumerate(items) if getattr(item, "use", None) == use), 0)


def full_date(value: object) -> dt.date | None:
    """A FHIR date or dateTime as a calendar date; None for partial dates (year or year-month)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def digits_only(value: str) -> str:
    """ZIP+4 and EINs are often written with a dash; the contract wants the digits."""
    return "".join(character for character in value if character not in "- ")



def in_sequence(items: Sequence[Sequenced] | None) -> list[tuple[int, Sequenced]]:
    """(array index, item) pairs ordered by the items' `sequence` (FHIR requires it; absent sorts first)."""
    return sorted(enumerate(items or []), key=lambda pair: getattr(pair[1], "sequence", None) or 0)
