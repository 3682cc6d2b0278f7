"""The part of a claim the coding edits read: dates, the patient's age and sex, diagnoses and lines.

Codes are kept as billed (ICD-10-CM upper case without its dot; procedure codes upper case), so every
edit compares like with like whatever the practice sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.contracts.encounter import Encounter, normalise_icd10


@dataclass(frozen=True)
class CodedLine:
    """One service line as coded: procedure, modifiers, units, its date and what it points to."""

    line_number: int  # 1-based, the order the practice sent
    procedure_code: str
    modifiers: tuple[str, ...] = ()
    units: float = 1.0
    date_of_service: dt.date | None = None  # None: the claim's date of service
    diagnosis_pointers: tuple[int, ...] = (1,)
    place_of_service: str | None = None


@dataclass(frozen=True)
class CodingClaim:
    """A claim's coding; of the patient only sex and birth date (PHI: for age and sex edits, never messages)."""

    date_of_service: dt.date
    patient_sex: str  # F, M or U
    patient_birth_date: dt.date
    diagnoses: tuple[str, ...]
    lines: tuple[CodedLine, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "diagnoses", tuple(normalise_icd10(code) for code in self.diagnoses))
        object.__setattr__(self, "lines", tuple(
            CodedLine(line.line_number, line.procedure_code.upper(), tuple(m.upper() for m in line.modifiers),
                      line.units, line.date_of_service, line.diagnosis_pointers, line.place_of_service)
            for line in self.lines))

    @classmethod
    def from_encounter(cls, encounter: Encounter) -> CodingClaim:
        """The coding view of an encounter as intake accepted it."""
        return cls(
            date_of_service=encounter.date_of_service,
            patient_sex=encounter.patient.sex,
            patient_birth_date=encounter.patient.date_of_birth,
            diagnoses=tuple(encounter.diagnoses),
            lines=tuple(
                CodedLine(
                    line_number=index + 1,
                    procedure_code=line.procedure_code,
                    modifiers=tuple(line.modifiers),
                    units=float(line.units),
                    date_of_service=line.date_of_service,
                    diagnosis_pointers=tuple(line.diagnosis_pointers),
                    place_of_service=encounter.place_of_service,
                )
                for index, line in enumerate(encounter.service_lines)),
        )

    def line_date(self, line: CodedLine) -> dt.date:
        """The date a line was performed (its own, else the claim's)."""
        return line.date_of_service or self.date_of_service

    def age_on(self, day: dt.date) -> int:
        """The patient's age in whole years on a day."""
        born = self.patient_birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
