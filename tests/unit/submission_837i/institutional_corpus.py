"""A deterministic corpus of contract-valid institutional claims (inpatient 0111, outpatient 0131) for the 837I."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import ROUND_CEILING, Decimal
from typing import Any

from claim_corpus import encounter_document, npi_with_check_digit
from secondary_claim_corpus import adjudication_for

from services.submission.domain import InstitutionalClaim, InstitutionalDetails
from services.submission.domain.institutional_encounter import institutional_details_from
from shared.contracts.encounter import Encounter

# (revenue code, HCPCS or None, unit basis): accommodation and pharmacy lines travel without a HCPCS.
INPATIENT_REVENUE = [("0120", None, "DA"), ("0250", None, "UN"), ("0300", "85025", "UN"), ("0360", None, "UN")]
OUTPATIENT_REVENUE = [
    ("0450", "99284", "UN"),
    ("0320", "71046", "UN"),
    ("0300", "80053", "UN"),
    ("0636", "J1885", "UN"),
    ("0510", "99213", "UN"),
    ("0250", None, "UN"),
    ("0730", "93000", "UN"),
]
LINE_COUNTS = [1, 2, 3, 5, 8, 13, 25]
PATIENT_STATUSES = ["01", "02", "03", "06", "07", "20", "30", "62"]
TYPES_OF_BILL = ["0111", "0131", "0111", "0131", "0117", "0137"]  # 7: replacement of a prior claim
NDCS = ["00409488820", "63323026201"]


def _institutional_lines(rng: random.Random, count: int, inpatient: bool, first_day: dt.date) -> list[dict[str, Any]]:
    choices = INPATIENT_REVENUE if inpatient else OUTPATIENT_REVENUE
    lines = []
    for number in range(count):
        revenue, procedure, _basis = choices[number % len(choices)]
        line: dict[str, Any] = {
            # The contract still requires a HCPCS on every line; revenue-only lines lose it after mapping.
            "procedure_code": procedure or "J3420",
            "modifiers": rng.sample(["59", "25", "LT", "RT"], k=rng.choice([0, 0, 1, 2])) if procedure else [],
            "units": str(rng.choice([Decimal("1"), Decimal("2"), Decimal("3"), Decimal("0.5")])),
            "charge": str(Decimal(rng.randint(100, 900_000)).scaleb(-2)),
            "diagnosis_pointers": [1],
            "revenue_code": revenue,
            "date_of_service": rng.choice([None, (first_day + dt.timedelta(days=rng.randint(0, 2))).isoformat()]),
        }
        if revenue == "0636":
            line["drug"] = {"ndc": rng.choice(NDCS), "quantity": "2", "unit": rng.choice(["ML", "UN", "ME"])}
        lines.append(line)
    return lines


def institutional_document(index: int, rng: random.Random) -> dict[str, Any]:
    """The JSON-shaped institutional encounter for corpus entry index."""
    document = encounter_document(index, rng)
    type_of_bill = TYPES_OF_BILL[index % len(TYPES_OF_BILL)]
    inpatient = type_of_bill[2] == "1"
    admitted = dt.date.fromisoformat(document["date_of_service"])
    stay = dt.timedelta(days=rng.randint(1, 9) if inpatient else 0)
    document.update(
        {
            "claim_type": "institutional",
            "place_of_service": "21" if inpatient else "22",
            "type_of_bill": type_of_bill,
            "admission_date": admitted.isoformat(),
            "admission_hour": rng.randint(0, 23),
            "discharge_date": (admitted + stay + dt.timedelta(days=3 if inpatient else 0)).isoformat(),
            "discharge_hour": rng.randint(0, 23),
            "patient_status": PATIENT_STATUSES[index % len(PATIENT_STATUSES)] if inpatient else "01",
            "attending_provider": {
                "npi": npi_with_check_digit(f"15{index % 100:02d}{rng.randint(0, 99_999):05d}"),
                "first_name": "Grace",
                "last_name": "Hopper",
                "taxonomy": rng.choice([None, "207RC0000X"]),
            },
            "service_lines": _institutional_lines(
                rng, LINE_COUNTS[index % len(LINE_COUNTS)], inpatient, admitted + stay
            ),
        }
    )
    return document


def _details(index: int, encounter: Encounter, rng: random.Random) -> InstitutionalDetails:
    inpatient = encounter.type_of_bill is not None and encounter.type_of_bill[2] == "1"
    details = institutional_details_from(
        encounter,
        admission_type=rng.choice(["1", "2", "3"]) if inpatient else None,
        admission_source=rng.choice(["1", "2", "4", "7"]) if inpatient else None,
        admitting_diagnosis=encounter.diagnoses[-1] if inpatient and index % 3 else None,
        medical_record_number=f"MR{index:06d}" if index % 2 else None,
    )
    choices = INPATIENT_REVENUE if inpatient else OUTPATIENT_REVENUE
    lines = []
    for number, line in enumerate(details.lines):
        _revenue, procedure, basis = choices[number % len(choices)]
        if procedure is None:
            # Accommodation days are whole days; the contract's fractional units fit only UN lines.
            units = line.units.to_integral_value(rounding=ROUND_CEILING) if basis == "DA" else line.units
            line = dataclasses.replace(line, procedure_code=None, modifiers=(), unit_basis=basis, units=units)
        lines.append(line)
    return dataclasses.replace(details, lines=lines)


def institutional_claims(count: int, seed: int = 2230, secondary: bool = False) -> list[InstitutionalClaim]:
    """count institutional claims, the same for the same seed; with secondary, billed after the primary's 835."""
    rng = random.Random(seed)
    claims = []
    for index in range(count):
        document = institutional_document(index, rng)
        if secondary and len(document["coverages"]) == 1:
            document["coverages"].append({**document["coverages"][0], "priority": "secondary"})
        encounter = Encounter.model_validate(document)
        details = _details(index, encounter, rng)
        numbers = [f"I{index}-{n}" for n in range(1, len(details.lines) + 1)]
        adjudication = None
        if secondary:
            charges = [line.charge for line in details.lines]
            adjudication = adjudication_for(rng, encounter.primary_coverage.payer, charges, numbers, index)
        frequency = details.frequency_code
        claims.append(
            InstitutionalClaim(
                patient_control_number=f"{'IS' if secondary else 'IC'}{seed % 1000:03d}{index:07d}",
                encounter=encounter,
                details=details,
                line_control_numbers=numbers,
                payer_claim_control_number=f"PAYER{index:010d}" if frequency == "7" else None,
                prior_payer_adjudication=adjudication,
            )
        )
    return claims
