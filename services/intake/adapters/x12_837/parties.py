"""837P party loops as Encounter parties: billing provider (2010AA), subscriber and payer (2010BA/BB),
patient (2000C/2010CA) and the other coverages of loop 2320/2330."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.intake.adapters.encounter_draft import FieldPath
from services.intake.adapters.x12_837.segments import (
    X12EncounterDraft,
    entities,
    first,
    read_address,
    read_person,
    without_empty,
)
from services.intake.adapters.x12_837.structure import ClaimLoops, Segment

# PAT01 / SBR02 individual relationship codes (X222A1) onto the contract's four relationships.
RELATIONSHIPS = {"18": "self", "01": "spouse", "19": "child"}
PRIORITIES = {"P": "primary", "S": "secondary", "T": "tertiary"}


def read_billing_provider(draft: X12EncounterDraft, loops: ClaimLoops) -> dict[str, Any] | None:
    """2000A PRV*BI taxonomy and 2010AA NM1*85 name and NPI, N3/N4, REF*EI."""
    groups = entities(loops.billing_provider)
    hl = loops.billing_provider[0]
    provider = groups.get("85")
    if provider is None:
        draft.invalid(hl, None, "the billing provider loop needs NM1*85 (2010AA)")
        return None
    field: FieldPath = ("billing_provider",)
    name = provider[0]
    draft.read(field, name)
    draft.read_fields(field, name, {"organization_name": 3, "npi": 9})
    taxonomy = first(groups[""], "PRV", "BI")
    draft.read((*field, "taxonomy"), *((taxonomy, 3) if taxonomy else (hl, None)))
    employer_id, social_security = first(provider, "REF", "EI"), first(provider, "REF", "SY")
    if employer_id is not None:
        draft.read((*field, "tax_id"), employer_id, 2)
    elif social_security is not None:
        # The contract's billing provider is an organisation with an EIN, never a person's SSN.
        draft.read((*field, "tax_id"), social_security, 1)
        draft.invalid(social_security, 1, "the billing provider's tax id must be an EIN (REF*EI)")
    else:
        draft.read((*field, "tax_id"), name)
    return without_empty({
        # An individual billing provider (NM102 = 1) is named last name first.
        "organization_name": " ".join(filter(None, [name.element(3), name.element(4)])),
        "npi": name.element(9) if name.element(8) == "XX" else None,
        "taxonomy": taxonomy.element(3) if taxonomy else None,
        "tax_id": employer_id.element(2) if employer_id else None,
        "address": read_address(draft, (*field, "address"), provider),
    })


def read_patient_and_coverage(draft: X12EncounterDraft,
                              loops: ClaimLoops) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The patient and the billed (primary) coverage, from 2000B/2010BA/2010BB and, for a dependent, 2000C."""
    groups = entities(loops.subscriber)
    hl = loops.subscriber[0]
    sbr = first(groups[""], "SBR")
    subscriber, payer = groups.get("IL"), groups.get("PR")
    if sbr is None or subscriber is None or payer is None:
        draft.invalid(hl, None, "the subscriber loop needs SBR, NM1*IL (2010BA) and NM1*PR (2010BB)")
        return None, None
    if sbr.element(1) != "P":
        # The Encounter bills its primary coverage; a secondary claim also needs the primary's adjudication.
        draft.invalid(sbr, 1, "intake accepts claims billed to the primary payer (SBR01 = P)")
    field: FieldPath = ("coverages", 0)
    coverage = _coverage_values(draft, field, sbr, subscriber, payer)
    coverage["priority"] = "primary"
    account_number = loops.clm.element(1)
    draft.read(("patient", "account_number"), loops.clm, 1)
    if loops.patient is None:
        coverage["relationship"] = "self"
        draft.read((*field, "relationship"), sbr, 2)
        patient = read_person(draft, ("patient",), subscriber)
        return {**patient, "account_number": account_number}, coverage
    patient_groups = entities(loops.patient)
    relationship = first(patient_groups[""], "PAT")
    patient_name = patient_groups.get("QC")
    if relationship is None or patient_name is None:
        draft.invalid(loops.patient[0], None, "the patient loop needs PAT and NM1*QC (2010CA)")
        return None, coverage
    draft.read((*field, "relationship"), relationship, 1)
    coverage["relationship"] = RELATIONSHIPS.get(relationship.element(1), "other")
    if coverage["relationship"] == "self":
        draft.invalid(relationship, 1, "a patient loop (HL 23) is for a patient who is not the subscriber")
    coverage["subscriber"] = read_person(draft, (*field, "subscriber"), subscriber)
    patient = read_person(draft, ("patient",), patient_name)
    return {**patient, "account_number": account_number}, coverage


def _coverage_values(draft: X12EncounterDraft, field: FieldPath, sbr: Segment, subscriber: Sequence[Segment],
                     payer: Sequence[Segment]) -> dict[str, Any]:
    """SBR03 group and SBR09 filing indicator, NM1*IL member id, NM1*PR payer name and id."""
    draft.read(field, sbr)
    draft.read_fields(field, sbr, {"group_number": 3, "claim_filing_indicator": 9})
    draft.read((*field, "member_id"), subscriber[0], 9)
    draft.read((*field, "payer"), payer[0])
    draft.read_fields((*field, "payer"), payer[0], {"name": 3, "payer_id": 9})
    return without_empty({
        "group_number": sbr.element(3), "claim_filing_indicator": sbr.element(9),
        "member_id": subscriber[0].element(9),
        "payer": without_empty({"name": payer[0].element(3), "payer_id": payer[0].element(9)}),
    })


def read_other_coverages(draft: X12EncounterDraft, chunks: Sequence[Sequence[Segment]],
                         known_people: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """2320 other subscribers as secondary/tertiary coverages, and a warning for each left out.

    2330A carries no DMG, so another subscriber's birth date and sex are known only when the file
    describes the same person elsewhere (the patient or the primary subscriber): same name and address.
    """
    coverages: list[dict[str, Any]] = []
    warnings: list[str] = []
    for chunk in chunks:
        sbr = chunk[0]
        groups = entities(chunk)
        subscriber, payer = groups.get("IL"), groups.get("PR")
        priority = PRIORITIES.get(sbr.element(1))
        if priority in (None, "primary") or subscriber is None or payer is None:
            warnings.append(f"other coverage at segment {sbr.position} left out: only complete secondary and "
                            "tertiary coverages (SBR01 S or T with NM1*IL and NM1*PR) are kept")
            continue
        field: FieldPath = ("coverages", len(coverages) + 1)
        values = _coverage_values(draft, field, sbr, subscriber, payer)
        values["priority"] = priority
        values["relationship"] = RELATIONSHIPS.get(sbr.element(2), "other")
        draft.read((*field, "relationship"), sbr, 2)
        if values["relationship"] != "self":
            person = _same_person(draft, (*field, "subscriber"), subscriber, known_people)
            if person is None:
                warnings.append(f"other coverage at segment {sbr.position} left out: the 837P does not carry "
                                "that subscriber's birth date and sex")
                continue
            values["subscriber"] = person
        coverages.append(values)
    if [c["priority"] for c in coverages] == ["tertiary"]:
        # Without its secondary a tertiary coverage would misstate the order of benefits.
        warnings.append("tertiary coverage left out: its secondary coverage could not be kept")
        coverages = []
    return coverages, warnings


def _same_person(draft: X12EncounterDraft, field: FieldPath, subscriber: Sequence[Segment],
                 known_people: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    name = subscriber[0]
    address = read_address(draft, (*field, "address"), subscriber)
    for person in known_people:
        if (person.get("last_name"), person.get("first_name"), person.get("address")) == (
                name.element(3), name.element(4), address):
            draft.read(field, name)
            draft.read_fields(field, name, {"last_name": 3, "first_name": 4})
            return {key: person[key] for key in ("first_name", "last_name", "date_of_birth", "sex", "address")
                    if key in person}
    return None
