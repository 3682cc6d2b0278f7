"""A FHIR R4 Claim (professional, with its parties contained) mapped onto the Encounter contract.

Parsing uses fhir.resources' R4B models (R4B's Claim, Coverage, Patient, Organization, Practitioner
and Location are R4's). Every error names the JSON pointer in the posted Claim, never the value.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.claim import Claim, ClaimItem
from pydantic import ValidationError

from services.intake.adapters.encounter_draft import (
    EncounterMappingFailed,
    EncounterRules,
    MappingError,
    dotted_icd10,
)
from services.intake.adapters.fhir.care_team import read_care_team, read_facility
from services.intake.adapters.fhir.contained import ContainedResources, FhirEncounterDraft
from services.intake.adapters.fhir.elements import (
    ICD10CM_SYSTEM,
    PLACE_OF_SERVICE_SYSTEMS,
    PROCEDURE_SYSTEMS,
    code_in,
    full_date,
    in_sequence,
)
from services.intake.adapters.fhir.parties import (
    read_billing_provider,
    read_coverages,
    read_patient,
    without_none,
)
from shared.contracts.encounter import Encounter
from shared.http.problems import json_pointer

CONTAINED_KINDS = frozenset({"Patient", "RelatedPerson", "Coverage", "Organization", "Practitioner", "Location"})


def claim_to_encounter(document: object, rules: EncounterRules | None = None) -> Encounter:
    """The Encounter a FHIR Claim describes; raises EncounterMappingFailed naming FHIR paths.

    `rules` are intake's checks beyond the contract; their violations are reported at FHIR paths too.
    """
    claim = parse_claim(document)
    draft = FhirEncounterDraft()
    contained = ContainedResources(claim, draft)
    if claim.status != "active":
        draft.invalid("/status", "only an active claim can be accepted")
    if claim.use != "claim":
        draft.invalid("/use", "only use 'claim' can be accepted (not a preauthorization or predetermination)")
    diagnoses, positions = _diagnoses(draft, claim)
    lines, place_of_service = _service_lines(draft, claim, positions)
    claim_date, claim_through = _claim_span(draft, claim, lines)
    for line in lines:
        if line.get("date_of_service") == claim_date:
            del line["date_of_service"]  # a line on the claim's own date inherits it, as in the JSON API
    coverages, prior_authorization = read_coverages(draft, claim, contained)
    draft.read(("external_id",), "/identifier/0/value")
    draft.read(("claim_type",), "/type")
    values = without_none({
        "external_id": claim.identifier[0].value if claim.identifier else None,
        "claim_type": code_in(claim.type),
        "date_of_service": claim_date,
        "date_of_service_through": claim_through,
        "place_of_service": place_of_service,
        "patient": read_patient(draft, claim, contained),
        "coverages": coverages,
        "billing_provider": read_billing_provider(draft, claim, contained),
        **read_care_team(draft, claim, contained),
        "service_facility": read_facility(draft, claim, contained),
        "prior_authorization": prior_authorization,
        "diagnoses": diagnoses,
        "service_lines": lines,
        "clinical_note": _clinical_note(draft, claim),
    })
    encounter = draft.validated(values, rules)
    if claim.total is not None and claim.total.value != encounter.total_charge:
        raise EncounterMappingFailed([{"pointer": "/total/value", "detail": "must equal the sum of the item charges"}])
    return encounter


def parse_claim(document: object) -> Claim:
    """The document as a fhir.resources Claim; raises EncounterMappingFailed with FHIR pointers."""
    if not isinstance(document, dict) or document.get("resourceType") != "Claim":
        raise EncounterMappingFailed([{"pointer": "/resourceType", "detail": "must be Claim"}])
    contained = document.get("contained") or []
    unsupported: list[MappingError] = [
        {"pointer": f"/contained/{index}/resourceType",
         "detail": "must be one of " + ", ".join(sorted(CONTAINED_KINDS))}
        for index, resource in enumerate(contained if isinstance(contained, list) else [])
        if not isinstance(resource, dict) or resource.get("resourceType") not in CONTAINED_KINDS]
    if unsupported:  # checked first: fhir.resources fails on unknown resource types without saying where
        raise EncounterMappingFailed(unsupported)
    try:
        return Claim.model_validate(document)
    except ValidationError as invalid:
        raise EncounterMappingFailed([
            {"pointer": json_pointer([p for p in e["loc"] if isinstance(p, int) or "[" not in p]),
             "detail": "unknown element" if e["type"] == "extra_forbidden"
             else str(e["msg"]).removeprefix("Value error, ")}
            for e in invalid.errors()]) from None
    except (KeyError, TypeError, ValueError):
        raise EncounterMappingFailed([{"pointer": "/", "detail": "not a readable FHIR R4 Claim"}]) from None


def _diagnoses(draft: FhirEncounterDraft, claim: Claim) -> tuple[list[str], dict[int, int]]:
    """ICD-10-CM codes in diagnosis sequence order and {diagnosis sequence: 1-based position}."""
    codes: list[str] = []
    positions: dict[int, int] = {}
    draft.read(("diagnoses",), "/diagnosis")
    for index, diagnosis in in_sequence(claim.diagnosis):
        at = f"/diagnosis/{index}"
        if diagnosis.sequence in positions:
            draft.invalid(f"{at}/sequence", "repeats another diagnosis's sequence")
            continue
        code = code_in(diagnosis.diagnosisCodeableConcept, {ICD10CM_SYSTEM})
        if code is None:
            draft.invalid(f"{at}/diagnosisCodeableConcept", f"needs a coding from {ICD10CM_SYSTEM}")
            continue
        positions[diagnosis.sequence or 0] = len(codes) + 1
        draft.read(("diagnoses", len(codes)), f"{at}/diagnosisCodeableConcept")
        codes.append(dotted_icd10(code))
    return codes, positions


def _service_lines(draft: FhirEncounterDraft, claim: Claim,
                   positions: dict[int, int]) -> tuple[list[dict[str, Any]], str | None]:
    """Items in sequence order as service lines, and the one place of service they share."""
    lines: list[dict[str, Any]] = []
    places: dict[str, str] = {}
    draft.read(("service_lines",), "/item")
    for position, (index, item) in enumerate(in_sequence(claim.item)):
        at = f"/item/{index}"
        lines.append(_service_line(draft, ("service_lines", position), item, at, positions))
        if item.locationCodeableConcept is not None:
            place = code_in(item.locationCodeableConcept, PLACE_OF_SERVICE_SYSTEMS)
            if place is None:
                draft.invalid(f"{at}/locationCodeableConcept", "needs a CMS place of service coding")
            else:
                places.setdefault(place, f"{at}/locationCodeableConcept")
    if len(places) > 1:
        # The contract (and the 837P claim it becomes) has one place of service per claim.
        draft.invalid("/item", "every item must have the same place of service")
    place, place_at = next(iter(places.items()), (None, "/item/0/locationCodeableConcept"))
    draft.read(("place_of_service",), place_at)
    return lines, place


def _service_line(draft: FhirEncounterDraft, field: tuple[str, int], item: ClaimItem, at: str,
                  positions: dict[int, int]) -> dict[str, Any]:
    procedure = code_in(item.productOrService, PROCEDURE_SYSTEMS)
    if procedure is None:
        draft.invalid(f"{at}/productOrService", "needs a CPT or HCPCS coding")
    units = item.quantity.value if item.quantity is not None and item.quantity.value is not None else Decimal(1)
    charge = _charge(item, units)
    draft.read_fields(field, at, {
        "procedure_code": "productOrService", "modifiers": "modifier", "units": "quantity/value",
        "charge": "net/value" if item.net is not None else "unitPrice/value",
        "diagnosis_pointers": "diagnosisSequence", "date_of_service": "servicedDate"})
    modifiers = []
    for number, modifier in enumerate(item.modifier or []):
        draft.read((*field, "modifiers", number), f"{at}/modifier/{number}")
        modifiers.append(code_in(modifier))
    pointers: list[int | None] = []
    for number, sequence in enumerate(item.diagnosisSequence or []):
        if sequence not in positions:
            draft.invalid(f"{at}/diagnosisSequence/{number}", "names no diagnosis of this claim")
        draft.read((*field, "diagnosis_pointers", len(pointers)), f"{at}/diagnosisSequence/{number}")
        pointers.append(positions.get(sequence or 0))
    served = item.servicedDate or (item.servicedPeriod.start if item.servicedPeriod else None)
    if served is not None and full_date(served) is None:
        draft.invalid(f"{at}/servicedDate", "must be a full date (YYYY-MM-DD)")
    return without_none({"procedure_code": procedure, "modifiers": modifiers, "units": units, "charge": charge,
                         "diagnosis_pointers": pointers, "date_of_service": full_date(served)})


def _charge(item: ClaimItem, units: Decimal) -> Decimal | None:
    """Item.net, else unitPrice x quantity (x factor), as FHIR defines net."""
    if item.net is not None and item.net.value is not None:
        return Decimal(item.net.value)
    if item.unitPrice is not None and item.unitPrice.value is not None:
        factor = Decimal(item.factor) if item.factor is not None else Decimal(1)
        return (Decimal(item.unitPrice.value) * units * factor).quantize(Decimal("0.01"))
    return None


def _claim_span(draft: FhirEncounterDraft, claim: Claim,
                lines: list[dict[str, Any]]) -> tuple[dt.date | None, dt.date | None]:
    """billablePeriod start and end, else the earliest and latest item dates; the end only when it differs."""
    period = claim.billablePeriod
    start = full_date(period.start) if period is not None else None
    dates = [line["date_of_service"] for line in lines if line.get("date_of_service")]
    if start is not None:
        draft.read(("date_of_service",), "/billablePeriod/start")
        end = full_date(period.end) if period is not None else None
        draft.read(("date_of_service_through",), "/billablePeriod/end")
    else:
        draft.read(("date_of_service",), "/item/0/servicedDate")
        draft.read(("date_of_service_through",), "/item")
        start, end = (min(dates), max(dates)) if dates else (None, None)
    return start, end if end != start else None


def _clinical_note(draft: FhirEncounterDraft, claim: Claim) -> str | None:
    """The text of every supportingInfo carrying a note (valueString or a text/plain attachment)."""
    texts = []
    for index, info in in_sequence(claim.supportingInfo):
        at = f"/supportingInfo/{index}"
        if info.valueString:
            draft.read(("clinical_note",), f"{at}/valueString")
            texts.append(str(info.valueString))
        elif info.valueAttachment is not None and str(info.valueAttachment.contentType or "").startswith(
                "text/plain") and info.valueAttachment.data:
            draft.read(("clinical_note",), f"{at}/valueAttachment/data")
            try:
                texts.append(_attachment_text(info.valueAttachment.data))
            except (binascii.Error, UnicodeDecodeError):
                draft.invalid(f"{at}/valueAttachment/data", "must be base64 of UTF-8 text")
    return "\n\n".join(texts) if texts else None


def _attachment_text(data: bytes | str) -> str:
    # fhir.resources decodes base64Binary to bytes; older releases kept the base64 text.
    raw = data if isinstance(data, bytes) else base64.b64decode(data, validate=True)
    return raw.decode("utf-8")
