"""Claim.careTeam and Claim.facility as the Encounter's rendering and referring providers and facility."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.claim import Claim

from services.intake.adapters.encounter_draft import FieldPath
from services.intake.adapters.fhir.contained import ContainedResources, FhirEncounterDraft
from services.intake.adapters.fhir.elements import (
    NPI_SYSTEM,
    TAXONOMY_SYSTEM,
    code_in,
    has_code,
    identifier_index,
    in_sequence,
    preferred_index,
)
from services.intake.adapters.fhir.parties import read_address, without_none

# Role codes from http://terminology.hl7.org/CodeSystem/claimcareteamrole and CARIN BB's C4BBClaimCareTeamRole.
RENDERING_ROLES = frozenset({"primary", "rendering", "performing"})
REFERRING_ROLES = frozenset({"referring"})


def read_care_team(draft: FhirEncounterDraft, claim: Claim,
                   contained: ContainedResources) -> dict[str, dict[str, Any]]:
    """{"rendering_provider": ..., "referring_provider": ...} for the care team members in those roles."""
    providers: dict[str, dict[str, Any]] = {}
    ordered = in_sequence(claim.careTeam)
    for index, member in ordered:
        at = f"/careTeam/{index}"
        if has_code(member.role, RENDERING_ROLES):
            key = "rendering_provider"
        elif has_code(member.role, REFERRING_ROLES):
            key = "referring_provider"
        else:
            continue  # assistants, supervisors: the 837P has no place for them in this contract
        if key in providers:
            draft.invalid(f"{at}/role", f"only one care team member may be the {key.replace('_', ' ')}")
            continue
        resolved = contained.resolve(member.provider, f"{at}/provider", ("Practitioner",), (key,))
        if resolved is not None:
            providers[key] = _practitioner(draft, (key,), *resolved, member.qualification, at)
    return providers


def _practitioner(draft: FhirEncounterDraft, field: FieldPath, practitioner: Any, at: str,
                  qualification: Any, member_at: str) -> dict[str, Any]:
    npi = identifier_index(practitioner.identifier, system=NPI_SYSTEM)
    name_index = preferred_index(practitioner.name, "official")
    name = None if name_index is None else practitioner.name[name_index]
    draft.read_fields(field, at, {
        "npi": "identifier" if npi is None else f"identifier/{npi}/value",
        "last_name": "name" if name_index is None else f"name/{name_index}/family",
        "first_name": "name" if name_index is None else f"name/{name_index}/given/0"})
    # The taxonomy is the care team member's qualification, else one of the practitioner's own.
    taxonomy = code_in(qualification, {TAXONOMY_SYSTEM})
    draft.read((*field, "taxonomy"), f"{member_at}/qualification")
    if taxonomy is None:
        for position, held in enumerate(practitioner.qualification or []):
            taxonomy = code_in(held.code, {TAXONOMY_SYSTEM})
            if taxonomy is not None:
                draft.read((*field, "taxonomy"), f"{at}/qualification/{position}/code")
                break
    return without_none({
        "npi": None if npi is None else practitioner.identifier[npi].value,
        "last_name": None if name is None else name.family,
        "first_name": None if name is None or not name.given else name.given[0],
        "taxonomy": taxonomy,
    })


def read_facility(draft: FhirEncounterDraft, claim: Claim, contained: ContainedResources) -> dict[str, Any] | None:
    """Claim.facility (a contained Location) as the service facility, when the claim names one."""
    resolved = contained.resolve(claim.facility, "/facility", ("Location",), ("service_facility",),
                                 required=False)
    if resolved is None:
        return None
    location, at = resolved
    npi = identifier_index(location.identifier, system=NPI_SYSTEM)
    field: FieldPath = ("service_facility",)
    draft.read_fields(field, at, {"name": "name", "npi": "identifier" if npi is None
                                  else f"identifier/{npi}/value"})
    address = read_address(draft, (*field, "address"), location.address, f"{at}/address")
    return without_none({"name": location.name, "address": address,
                         "npi": None if npi is None else location.identifier[npi].value})
