"""One 837P claim (loop 2300 with its 2310 providers, 2320 other coverages and 2400 lines) as an Encounter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.intake.adapters.encounter_draft import (
    EncounterMappingFailed,
    EncounterRules,
    FieldPath,
    MappingError,
    dotted_icd10,
)
from services.intake.adapters.x12_837.parties import (
    read_billing_provider,
    read_other_coverages,
    read_patient_and_coverage,
)
from services.intake.adapters.x12_837.segments import (
    X12EncounterDraft,
    entities,
    first,
    read_address,
    without_empty,
)
from services.intake.adapters.x12_837.structure import ClaimLoops, Segment, read_claim_loops
from shared.contracts.encounter import Encounter
from shared.x12.tokenizer import DEFAULT_LIMITS, X12Limits

CENTS = Decimal("0.01")
PRINCIPAL, OTHER = ("ABK", "BK"), ("ABF", "BF")
REFERRING_ENTITIES = ("DN", "P3")  # 2310A: referring provider, or the primary care provider who referred


@dataclass(frozen=True)
class ClaimReading:
    """What one CLM of the file became: an Encounter, or the errors that kept it from becoming one."""

    external_id: str
    segment: int
    encounter: Encounter | None = None
    errors: Sequence[MappingError] = ()
    warnings: Sequence[str] = field(default_factory=tuple)


def read_837p(text: str, rules: EncounterRules | None = None, limits: X12Limits = DEFAULT_LIMITS) -> list[ClaimReading]:
    """Every claim of an 837P interchange; raises X12DocumentUnreadable when the file cannot be read,
    X12TooLarge when it holds more segments or elements than `limits`.

    `rules` are intake's checks beyond the contract; their violations are reported at segment positions.
    """
    readings = []
    for loops in read_claim_loops(text, limits):
        try:
            encounter, warnings = encounter_from(loops, rules)
        except EncounterMappingFailed as failed:
            readings.append(ClaimReading(loops.external_id, loops.clm.position, errors=failed.errors))
        else:
            readings.append(ClaimReading(loops.external_id, loops.clm.position, encounter, (), tuple(warnings)))
    return readings


def encounter_from(loops: ClaimLoops, rules: EncounterRules | None = None) -> tuple[Encounter, list[str]]:
    """The claim's Encounter and warnings about what it left out; raises EncounterMappingFailed."""
    draft = X12EncounterDraft(loops.clm)
    header, other_coverages, lines = _split_claim(loops.claim)
    clm = loops.clm
    facility_code = clm.components(5)  # CLM05: place of service : B : claim frequency
    place = facility_code[0] if facility_code else ""
    frequency = facility_code[2] if len(facility_code) > 2 else ""
    draft.read(("external_id",), clm, 1)
    draft.read(("place_of_service",), clm, 5, component=1)
    if frequency != "1":
        draft.invalid(clm, 5, "intake accepts original claims only (frequency code 1)", component=3)
    patient, coverage = read_patient_and_coverage(draft, loops)
    people = [person for person in (patient, (coverage or {}).get("subscriber")) if person]
    others, warnings = read_other_coverages(draft, other_coverages, people)
    service_lines = [_service_line(draft, ("service_lines", n), chunk, place) for n, chunk in enumerate(lines)]
    dates = [line["date_of_service"] for line in service_lines if "date_of_service" in line]
    claim_date, claim_through = (min(dates), max(dates)) if dates else (None, None)
    draft.read(("date_of_service",), *(_first_service_date(lines) or (clm, None)))
    draft.read(("date_of_service_through",), *(_first_service_date(lines) or (clm, None)))
    for line in service_lines:
        # The claim's date is inherited, as the JSON API sends it. A line may have no readable date
        # (its DTP is broken and already reported): then there is nothing to drop.
        if claim_date is not None and line.get("date_of_service") == claim_date:
            del line["date_of_service"]
    _check_total(draft, clm, service_lines)
    groups = entities(header)
    values = without_empty({
        "external_id": clm.element(1), "claim_type": "professional", "date_of_service": claim_date,
        "date_of_service_through": claim_through if claim_through != claim_date else None,
        "place_of_service": place, "patient": patient,
        "coverages": [coverage, *others] if coverage else None,
        "billing_provider": read_billing_provider(draft, loops),
        "referring_provider": next((_individual(draft, ("referring_provider",), groups[code])
                                    for code in REFERRING_ENTITIES if code in groups), None),
        "rendering_provider": _individual(draft, ("rendering_provider",), groups["82"]) if "82" in groups else None,
        "service_facility": _facility(draft, groups["77"]) if "77" in groups else None,
        "prior_authorization": _prior_authorization(draft, header),
        "diagnoses": _diagnoses(draft, header),
        "service_lines": service_lines,
    })
    return draft.validated(values, rules), warnings


def _split_claim(claim: Sequence[Segment]) -> tuple[list[Segment], list[list[Segment]], list[list[Segment]]]:
    """2300 and 2310 segments, each 2320 other-subscriber loop (from its SBR), each 2400 line (from its LX)."""
    header: list[Segment] = []
    others: list[list[Segment]] = []
    lines: list[list[Segment]] = []
    for segment in claim:
        if segment.id == "LX":
            lines.append([segment])
        elif lines:
            lines[-1].append(segment)
        elif segment.id == "SBR":
            others.append([segment])
        elif others:
            others[-1].append(segment)
        else:
            header.append(segment)
    return header, others, lines


def _diagnoses(draft: X12EncounterDraft, header: Sequence[Segment]) -> list[str]:
    """HI ABK (principal) then ABF codes, with the ICD-10-CM dot put back after the third character."""
    codes: list[str] = []
    draft.read(("diagnoses",), first(header, "HI") or header[0])
    for segment in (s for s in header if s.id == "HI"):
        for number in range(1, len(segment.elements)):
            parts = segment.components(number)
            qualifier = parts[0] if parts else ""
            if qualifier in ("BK", "BF"):
                draft.invalid(segment, number, "ICD-9-CM diagnoses (BK/BF) are not accepted", component=1)
            elif qualifier in ("ABK", "ABF") and len(parts) > 1:
                if (qualifier == "ABK") != (not codes):
                    draft.invalid(segment, number, "the principal diagnosis (ABK) must come first, once", 1)
                draft.read(("diagnoses", len(codes)), segment, number, component=2)
                codes.append(dotted_icd10(parts[1]))
    return codes


def _prior_authorization(draft: X12EncounterDraft, header: Sequence[Segment]) -> str | None:
    # Only the 2300 REF*G1 (before any NM1): a 2310 provider's REF*G1 would be its own identifier.
    reference = first(entities(header)[""], "REF", "G1")
    if reference is None:
        return None
    draft.read(("prior_authorization",), reference, 2)
    return reference.element(2)


def _individual(draft: X12EncounterDraft, field: FieldPath, group: Sequence[Segment]) -> dict[str, Any]:
    """2310A/B NM1 person with XX NPI, and PRV*PE taxonomy when the loop has one."""
    name = group[0]
    draft.read(field, name)
    draft.read_fields(field, name, {"last_name": 3, "first_name": 4, "npi": 9})
    taxonomy = first(group, "PRV")
    if taxonomy is not None:
        draft.read((*field, "taxonomy"), taxonomy, 3)
    return without_empty({"last_name": name.element(3), "first_name": name.element(4),
                          "npi": name.element(9) if name.element(8) == "XX" else None,
                          "taxonomy": taxonomy.element(3) if taxonomy else None})


def _facility(draft: X12EncounterDraft, group: Sequence[Segment]) -> dict[str, Any]:
    """2310C service facility: NM1*77 name and optional NPI, N3/N4."""
    name = group[0]
    draft.read(("service_facility",), name)
    draft.read_fields(("service_facility",), name, {"name": 3, "npi": 9})
    return without_empty({"name": name.element(3), "npi": name.element(9) if name.element(8) == "XX" else None,
                          "address": read_address(draft, ("service_facility", "address"), group)})


def _service_line(draft: X12EncounterDraft, field: FieldPath, chunk: Sequence[Segment],
                  claim_place: str) -> dict[str, Any]:
    """2400: SV1 procedure, modifiers, charge, units and pointers; DTP*472 service date."""
    service = first(chunk, "SV1")
    if service is None:
        draft.invalid(chunk[0], None, "the service line needs SV1")
        return {}
    procedure = service.components(1)
    if procedure[:1] != ["HC"]:
        draft.invalid(service, 1, "the procedure must be qualified HC (CPT or HCPCS)", component=1)
    if service.element(3) not in ("UN", ""):
        draft.invalid(service, 3, "units must be UN (minutes, MJ, are not accepted)")
    if service.element(5) and service.element(5) != claim_place:
        draft.invalid(service, 5, "a line place of service other than the claim's (CLM05-1) is not accepted")
    draft.read(field, service)
    draft.read((*field, "procedure_code"), service, 1, component=2)
    draft.read_fields(field, service, {"charge": 2, "units": 4, "diagnosis_pointers": 7})
    modifiers = [code for code in procedure[2:6] if code]
    for number in range(len(modifiers)):
        draft.read((*field, "modifiers", number), service, 1, component=number + 3)
    pointers = service.components(7)
    for number in range(len(pointers)):
        draft.read((*field, "diagnosis_pointers", number), service, 7, component=number + 1)
    charge = draft.amount(service, 2)
    values: dict[str, Any] = {
        "procedure_code": procedure[1] if len(procedure) > 1 else None, "modifiers": modifiers,
        "charge": charge.quantize(CENTS) if charge is not None else None,
        "units": draft.amount(service, 4), "diagnosis_pointers": pointers,
    }
    drug = _drug(draft, (*field, "drug"), chunk)
    if drug is not None:
        values["drug"] = drug
    served = first(chunk, "DTP", "472")
    if served is None:
        draft.invalid(chunk[0], None, "the service line needs DTP*472 (service date)")
    else:
        draft.read((*field, "date_of_service"), served, 3)
        values["date_of_service"] = draft.date(served, 3)
    return without_empty(values)


def _drug(draft: X12EncounterDraft, field: FieldPath, chunk: Sequence[Segment]) -> dict[str, Any] | None:
    """2410 drug identification: LIN*N4 NDC with CTP04 quantity and CTP05-1 unit."""
    identification, quantity = first(chunk, "LIN"), first(chunk, "CTP")
    if identification is None:
        return None
    if identification.element(2) != "N4" or quantity is None:
        draft.invalid(identification, 2, "a drug needs LIN*N4 (NDC) followed by CTP (quantity and unit)")
        return None
    draft.read(field, identification)
    draft.read((*field, "ndc"), identification, 3)
    draft.read((*field, "quantity"), quantity, 4)
    draft.read((*field, "unit"), quantity, 5, component=1)
    return without_empty({"ndc": identification.element(3), "quantity": draft.amount(quantity, 4),
                          "unit": (quantity.components(5) or [""])[0]})


def _first_service_date(lines: Sequence[Sequence[Segment]]) -> tuple[Segment, int] | None:
    served = next((s for chunk in lines for s in chunk if s.id == "DTP" and s.element(1) == "472"), None)
    return (served, 3) if served else None


def _check_total(draft: X12EncounterDraft, clm: Segment, lines: Sequence[dict[str, Any]]) -> None:
    """CLM02 must be the sum of the SV102 line charges, as the TR3 requires."""
    total = draft.amount(clm, 2)
    charges: list[Decimal] = [line["charge"] for line in lines if line.get("charge") is not None]
    if total is not None and len(charges) == len(lines) and total != sum(charges, Decimal(0)):
        draft.invalid(clm, 2, "must equal the sum of the line charges (SV102)")

