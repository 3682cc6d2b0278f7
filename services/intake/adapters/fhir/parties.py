"""The people and organisations of a FHIR Claim as Encounter parties: patient, coverages, providers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.claim import Claim

from services.intake.adapters.encounter_draft import FieldPath
from services.intake.adapters.fhir.contained import ContainedResources, FhirEncounterDraft
from services.intake.adapters.fhir.elements import (
    CLAIM_FILING_INDICATOR_SYSTEM,
    FHIR_GENDER_TO_SEX,
    NPI_SYSTEM,
    TAXONOMY_SYSTEM,
    TIN_SYSTEM,
    code_in,
    digits_only,
    full_date,
    has_code,
    identifier_index,
    in_sequence,
    preferred_identifier,
    preferred_index,
)

PRIORITIES = ("primary", "secondary", "tertiary")
# http://terminology.hl7.org/CodeSystem/subscriber-relationship onto the contract's four relationships.
RELATIONSHIPS = {"self": "self", "spouse": "spouse", "child": "child"}
PERSON_KINDS = ("Patient", "RelatedPerson")
ADDRESS_PATHS = {"line1": "line/0", "line2": "line/1", "city": "city", "state": "state", "postal_code": "postalCode"}


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values so the contract reports a required field as missing, not as mistyped."""
    return {key: value for key, value in values.items() if value is not None}


def address_in(addresses: Sequence[Address] | None, at: str, use: str) -> tuple[Address | None, str]:
    """The address of that use (else the first) from a resource's address list, with its pointer."""
    index = preferred_index(addresses, use)
    if addresses is None or index is None:
        return None, f"{at}/address"
    return addresses[index], f"{at}/address/{index}"


def read_address(draft: FhirEncounterDraft, field: FieldPath, address: Address | None,
                 base: str) -> dict[str, Any] | None:
    """One FHIR Address as the contract's Address."""
    if address is None:
        draft.read(field, base)
        return None
    draft.read_fields(field, base, ADDRESS_PATHS)
    lines = [str(line) for line in address.line or []]
    return without_none({
        "line1": lines[0] if lines else None,
        # The contract has two street lines; further FHIR lines continue the second.
        "line2": ", ".join(lines[1:]) if len(lines) > 1 else None,
        "city": address.city, "state": address.state,
        "postal_code": digits_only(str(address.postalCode)) if address.postalCode else None,
    })


def read_person(draft: FhirEncounterDraft, field: FieldPath, person: Any, at: str) -> dict[str, Any]:
    """Name, birth date, sex and home address of a Patient or RelatedPerson."""
    values: dict[str, Any] = {}
    name_index = preferred_index(person.name, "official")
    if name_index is None:
        draft.read((*field, "last_name"), f"{at}/name")
        draft.read((*field, "first_name"), f"{at}/name")
    else:
        name = person.name[name_index]
        draft.read_fields(field, at, {"last_name": f"name/{name_index}/family",
                                      "first_name": f"name/{name_index}/given/0"})
        values["last_name"] = name.family
        values["first_name"] = (name.given or [None])[0]
    draft.read_fields(field, at, {"date_of_birth": "birthDate", "sex": "gender"})
    if person.birthDate is not None and full_date(person.birthDate) is None:
        draft.invalid(f"{at}/birthDate", "must be a full date (YYYY-MM-DD)")
    values["date_of_birth"] = full_date(person.birthDate)
    # An absent gender is unknown, which X12 DMG03 writes as U.
    values["sex"] = FHIR_GENDER_TO_SEX.get(str(person.gender or "unknown"), "U")
    values["address"] = read_address(draft, (*field, "address"), *address_in(person.address, at, "home"))
    return without_none(values)


def read_patient(draft: FhirEncounterDraft, claim: Claim, contained: ContainedResources) -> dict[str, Any] | None:
    """The claim's patient with the practice's account number (identifier typed AN, else MR, else first)."""
    resolved = contained.resolve(claim.patient, "/patient", ("Patient",), ("patient",))
    if resolved is None:
        return None
    patient, at = resolved
    values = read_person(draft, ("patient",), patient, at)
    account = preferred_identifier(patient.identifier, ("AN", "MR", "PI"))
    draft.read(("patient", "account_number"), f"{at}/identifier" if account is None
               else f"{at}/identifier/{account}/value")
    if account is not None:
        values["account_number"] = patient.identifier[account].value
    return values


def read_coverages(draft: FhirEncounterDraft, claim: Claim,
                   contained: ContainedResources) -> tuple[list[dict[str, Any]], str | None]:
    """Coverages in insurance sequence order (the focal one must come first) and its prior authorization."""
    ordered = in_sequence(claim.insurance)
    draft.read(("coverages",), "/insurance")
    focal = [index for index, insurance in ordered if insurance.focal]
    if len(focal) != 1 or (ordered and focal[0] != ordered[0][0]):
        # Intake bills the primary payer; coordination-of-benefits order is the insurance sequence.
        draft.invalid("/insurance", "exactly one insurance must be focal, and it must have the lowest sequence")
    coverages = []
    for position, (index, insurance) in enumerate(ordered):
        field: FieldPath = ("coverages", position)
        resolved = contained.resolve(insurance.coverage, f"/insurance/{index}/coverage", ("Coverage",), field)
        if resolved is None:
            continue
        coverage, at = resolved
        draft.read(field, at)
        draft.read((*field, "priority"), f"/insurance/{index}/sequence")
        values = _coverage(draft, field, coverage, at, contained, claim)
        values["priority"] = PRIORITIES[position] if position < len(PRIORITIES) else "tertiary"
        coverages.append(values)
    authorization = None
    if ordered and ordered[0][1].preAuthRef:
        index = ordered[0][0]
        draft.read(("prior_authorization",), f"/insurance/{index}/preAuthRef/0")
        authorization = ordered[0][1].preAuthRef[0]
    return coverages, authorization


def _coverage(draft: FhirEncounterDraft, field: FieldPath, coverage: Any, at: str,
              contained: ContainedResources, claim: Claim) -> dict[str, Any]:
    values: dict[str, Any] = {"payer": _payer(draft, (*field, "payer"), coverage, at, contained)}
    if coverage.subscriberId:
        draft.read((*field, "member_id"), f"{at}/subscriberId")
        values["member_id"] = coverage.subscriberId
    else:
        member = preferred_identifier(coverage.identifier, ("MB",))
        draft.read((*field, "member_id"), f"{at}/subscriberId" if member is None
                   else f"{at}/identifier/{member}/value")
        values["member_id"] = None if member is None else coverage.identifier[member].value
    group = next((i for i, c in enumerate(coverage.class_fhir or []) if has_code(c.type, {"group"})), None)
    if group is not None:
        draft.read((*field, "group_number"), f"{at}/class/{group}/value")
        values["group_number"] = coverage.class_fhir[group].value
    draft.read((*field, "claim_filing_indicator"), f"{at}/type")
    values["claim_filing_indicator"] = code_in(coverage.type, {CLAIM_FILING_INDICATOR_SYSTEM})
    if values["claim_filing_indicator"] is None:
        draft.invalid(f"{at}/type", f"needs a coding from {CLAIM_FILING_INDICATOR_SYSTEM} (X12 SBR09)")
    values["relationship"] = _relationship(draft, coverage, at, claim)
    draft.read((*field, "relationship"), f"{at}/relationship")
    if values["relationship"] not in (None, "self"):
        resolved = contained.resolve(coverage.subscriber, f"{at}/subscriber", PERSON_KINDS,
                                     (*field, "subscriber"))
        if resolved is not None:
            values["subscriber"] = read_person(draft, (*field, "subscriber"), *resolved)
    return without_none(values)


def _relationship(draft: FhirEncounterDraft, coverage: Any, at: str, claim: Claim) -> str | None:
    code = code_in(coverage.relationship)
    if code is not None:
        return RELATIONSHIPS.get(code, "other")
    subscriber = coverage.subscriber.reference if coverage.subscriber else None
    if subscriber is None or subscriber == claim.patient.reference:
        return "self"  # no relationship stated and the patient holds the policy
    draft.missing(f"{at}/relationship", "the patient's relationship to the subscriber")
    return None


def _payer(draft: FhirEncounterDraft, field: FieldPath, coverage: Any, at: str,
           contained: ContainedResources) -> dict[str, Any] | None:
    payor = (coverage.payor or [None])[0]
    resolved = contained.resolve(payor, f"{at}/payor/0", ("Organization",), field)
    if resolved is None:
        return None
    organization, org_at = resolved
    # The payer id is the identifier typed NIIP (v2-0203 "National Insurance Payor Identifier"), else the first.
    payer_id = preferred_identifier(organization.identifier, ("NIIP",))
    draft.read_fields(field, org_at, {"name": "name", "payer_id": "identifier" if payer_id is None
                                      else f"identifier/{payer_id}/value"})
    return without_none({"name": organization.name,
                         "payer_id": None if payer_id is None else organization.identifier[payer_id].value})


def read_billing_provider(draft: FhirEncounterDraft, claim: Claim,
                          contained: ContainedResources) -> dict[str, Any] | None:
    """Claim.provider as the billing provider: NPI, TIN, name, NUCC taxonomy (Organization.type), address."""
    resolved = contained.resolve(claim.provider, "/provider", ("Organization",), ("billing_provider",))
    if resolved is None:
        return None
    organization, at = resolved
    npi = identifier_index(organization.identifier, system=NPI_SYSTEM)
    tin = identifier_index(organization.identifier, system=TIN_SYSTEM)
    taxonomy = next((i for i, t in enumerate(organization.type or []) if code_in(t, {TAXONOMY_SYSTEM})), None)
    field: FieldPath = ("billing_provider",)
    draft.read_fields(field, at, {
        "npi": "identifier" if npi is None else f"identifier/{npi}/value",
        "tax_id": "identifier" if tin is None else f"identifier/{tin}/value",
        "organization_name": "name", "taxonomy": "type" if taxonomy is None else f"type/{taxonomy}"})
    identifiers = organization.identifier or []
    return without_none({
        "npi": None if npi is None else identifiers[npi].value,
        "tax_id": None if tin is None else digits_only(str(identifiers[tin].value)),
        "organization_name": organization.name,
        "taxonomy": None if taxonomy is None else code_in(organization.type[taxonomy], {TAXONOMY_SYSTEM}),
        "address": read_address(draft, (*field, "address"), *address_in(organization.address, at, "billing")),
    })
