"""Reading 837P segments into Encounter fields: the draft that knows segment positions, entities, values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from services.intake.adapters.encounter_draft import EncounterDraft, FieldPath, SourceLocation
from services.intake.adapters.x12_837.structure import Segment

SEXES = {"F", "M", "U"}
ADDRESS_ELEMENTS = (("N3", {"line1": 1, "line2": 2}), ("N4", {"city": 1, "state": 2, "postal_code": 3}))


def location(segment: Segment, number: int | None = None, component: int | None = None) -> SourceLocation:
    """{"segment": 12, "segment_id": "NM1", "element": "NM109"}: where a value sits in the file."""
    where: SourceLocation = {"segment": segment.position, "segment_id": segment.id}
    if number is not None:
        where["element"] = f"{segment.id}{number:02d}" + (f"-{component}" if component is not None else "")
    return where


class X12EncounterDraft(EncounterDraft):
    """An EncounterDraft whose sources are segment positions in the posted 837P."""

    def __init__(self, clm: Segment):
        super().__init__(location(clm))

    def read(self, field: FieldPath, segment: Segment, number: int | None = None,
             component: int | None = None) -> None:
        """The Encounter field at `field` was read from this segment (and element, component)."""
        self.came_from(field, location(segment, number, component))

    def read_fields(self, field: FieldPath, segment: Segment, numbers: dict[str, int]) -> None:
        """Record {encounter key: element number} for the fields one segment fills."""
        for key, number in numbers.items():
            self.read((*field, key), segment, number)

    def invalid(self, segment: Segment, number: int | None, detail: str, component: int | None = None) -> None:
        """A segment or element is present but cannot be used."""
        self.fail(location(segment, number, component), detail)

    def date(self, segment: Segment, number: int) -> dt.date | None:
        """A D8 date (CCYYMMDD), or the start of an RD8 range (CCYYMMDD-CCYYMMDD); None with an error if neither."""
        text = segment.element(number)
        if not text:
            return None
        try:
            if len(text) == 8 or (len(text) == 17 and text[8] == "-"):
                return dt.datetime.strptime(text[:8], "%Y%m%d").date()
        except ValueError:
            pass
        self.invalid(segment, number, "must be a date CCYYMMDD")
        return None

    def amount(self, segment: Segment, number: int, component: int | None = None) -> Decimal | None:
        """An X12 decimal (R) element, or None with an error when it is not a number."""
        text = segment.components(number)[component - 1] if component else segment.element(number)
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.invalid(segment, number, "must be a decimal number", component)
            return None
        if not value.is_finite():
            self.invalid(segment, number, "must be a decimal number", component)
            return None
        return value


def entities(segments: Sequence[Segment]) -> dict[str, list[Segment]]:
    """Segments grouped by the NM1 they follow, keyed by NM101 ("" for those before the first NM1).

    N3, N4, DMG, REF and PRV belong to the entity named just before them: the 2010AA billing
    provider's REF*EI must not be taken from a 2010AB pay-to address that follows it.
    """
    groups: dict[str, list[Segment]] = {"": []}
    current = groups[""]
    for segment in segments:
        if segment.id == "NM1":
            code = segment.element(1)
            current = [segment]
            groups.setdefault(code, current)  # a repeated entity keeps the first
        else:
            current.append(segment)
    return groups


def first(segments: Sequence[Segment] | None, segment_id: str, qualifier: str | None = None) -> Segment | None:
    """The first segment with that id (and element 1 equal to qualifier when given)."""
    for segment in segments or []:
        if segment.id == segment_id and (qualifier is None or segment.element(1) == qualifier):
            return segment
    return None


def without_empty(values: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values so the contract reports a required field as missing."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def read_address(draft: X12EncounterDraft, field: FieldPath, group: Sequence[Segment]) -> dict[str, Any] | None:
    """N3 and N4 of one entity as the contract's Address (None when the entity has neither)."""
    values: dict[str, Any] = {}
    for segment_id, numbers in ADDRESS_ELEMENTS:
        segment = first(group, segment_id)
        if segment is not None:
            draft.read_fields(field, segment, numbers)
            values.update({key: segment.element(number) for key, number in numbers.items()})
    if not values:
        draft.read(field, group[0])
        return None
    draft.read(field, first(group, "N3") or first(group, "N4") or group[0])
    return without_empty(values)


def read_person(draft: X12EncounterDraft, field: FieldPath, group: Sequence[Segment]) -> dict[str, Any]:
    """NM1 name, N3/N4 address and DMG birth date and sex of one individual."""
    name = group[0]
    draft.read(field, name)
    draft.read_fields(field, name, {"last_name": 3, "first_name": 4})
    values: dict[str, Any] = {"last_name": name.element(3), "first_name": name.element(4),
                              "address": read_address(draft, (*field, "address"), group)}
    demographics = first(group, "DMG")
    if demographics is None:
        draft.read((*field, "date_of_birth"), name)
        draft.read((*field, "sex"), name)
    else:
        draft.read_fields(field, demographics, {"date_of_birth": 2, "sex": 3})
        if demographics.element(1) != "D8":
            draft.invalid(demographics, 1, "must be D8")
        values["date_of_birth"] = draft.date(demographics, 2)
        values["sex"] = demographics.element(3)
    return without_empty(values)
