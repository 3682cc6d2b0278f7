"""The Claim's contained resources, found by local reference (#id), and the draft that knows FHIR paths."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.reference import Reference

from services.intake.adapters.encounter_draft import EncounterDraft, FieldPath


class FhirEncounterDraft(EncounterDraft):
    """An EncounterDraft whose sources are JSON pointers into the posted Claim."""

    def __init__(self) -> None:
        super().__init__({"pointer": "/"})

    def read(self, field: FieldPath, fhir_pointer: str) -> None:
        """The Encounter field at `field` was read from the Claim at fhir_pointer."""
        self.came_from(field, {"pointer": fhir_pointer})

    def read_fields(self, field: FieldPath, base: str, names: dict[str, str]) -> None:
        """Record {encounter key: FHIR path below base} for the fields of one nested object."""
        self.read(field, base)
        for key, fhir_path in names.items():
            self.read((*field, key), f"{base}/{fhir_path}")

    def missing(self, fhir_pointer: str, what: str) -> None:
        """A required element is absent."""
        self.fail({"pointer": fhir_pointer}, f"{what} is required")

    def invalid(self, fhir_pointer: str, detail: str) -> None:
        """An element is present but cannot be used."""
        self.fail({"pointer": fhir_pointer}, detail)


class ContainedResources:
    """The Claim's `contained` resources by id; every party a claim names must be contained."""

    def __init__(self, claim: Claim, draft: FhirEncounterDraft):
        self._draft = draft
        self._by_id: dict[str, tuple[Any, str]] = {}
        for index, resource in enumerate(claim.contained or []):
            if resource.id:
                self._by_id[str(resource.id)] = (resource, f"/contained/{index}")

    def resolve(self, reference: Reference | None, at: str, kinds: tuple[str, ...], field: FieldPath,
                required: bool = True) -> tuple[Any, str] | None:
        """The contained resource a reference points at, with its pointer; records an error if unusable.

        On failure the Encounter field is recorded at the reference, so the contract's own complaint
        about the missing party is not reported a second time somewhere else.
        """
        if reference is None or not reference.reference:
            if required:
                self._draft.read(field, at)
                self._draft.missing(at, "a reference to a contained " + " or ".join(kinds))
            return None
        target = str(reference.reference)
        found = self._by_id.get(target[1:]) if target.startswith("#") else None
        if found is None or found[0].get_resource_type() not in kinds:
            self._draft.read(field, f"{at}/reference")
            self._draft.invalid(f"{at}/reference", "must point at a contained " + " or ".join(kinds))
            return None
        return found
