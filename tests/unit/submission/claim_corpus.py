"""A deterministic corpus of varied, contract-valid professional claims for exercising the 837P writer."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from services.submission.domain import BillableClaim, ClaimFrequency, InterchangeHeader
from shared.contracts.encounter import Encounter
from shared.contracts.npi import is_valid_npi

FIRST_NAMES = [
    "Maria",
    "James",
    "Aiyana",
    "José",
    "Chloé",
    "Wei",
    "Fatima",
    "Liam",
    "Nguyễn",
    "Zoë",
    "Omar",
    "Ada",
]
LAST_NAMES = ["Lopez", "O'Brien", "Smith-Jones", "Nguyen", "Müller", "Okafor", "Van der Berg", "Kim", "Patel"]
STREETS = ["410 Elm Street", "12 Oak Ave, Apt #4", "9 Pine Rd", "77 Sunset Blvd Suite 300", "1 Main St"]
CITIES = [
    ("Springfield", "IL", "62701"),
    ("Austin", "TX", "78701"),
    ("Boise", "ID", "83702"),
    ("Miami", "FL", "33101"),
]
PAYERS = [
    ("SIMPAY", "Simulated Health Plan", "CI"),
    ("MCRB1", "Medicare Part B Jurisdiction 1", "MB"),
    ("MCD77", "State Medicaid Program", "MC"),
    ("BCBS01", "Blue Cross Blue Shield of Somewhere", "BL"),
    ("HMO42", "Example HMO", "HM"),
    ("TRICR", "Tricare West", "CH"),
]
DIAGNOSES = [
    "E11.65",
    "I10",
    "J06.9",
    "R05.9",
    "M54.50",
    "Z00.00",
    "E78.5",
    "F41.1",
    "K21.9",
    "N39.0",
    "J45.909",
    "M25.561",
    "R51.9",
    "Z23",
    "E66.9",
    "G43.909",
    "L03.115",
    "S93.401A",
    "H66.90",
    "B34.9",
    "R10.9",
    "Z79.4",
    "E03.9",
    "F32.A",
    "I25.10",
    "M17.11",
    "J20.9",
    "R53.83",
    "D64.9",
    "K58.9",
]
PROCEDURES = [
    "99213",
    "99214",
    "99215",
    "99203",
    "93000",
    "36415",
    "83036",
    "80053",
    "85025",
    "71046",
    "G0439",
    "J3420",
    "J1885",
    "20610",
    "11721",
    "3074F",
    "0042T",
    "97110",
    "90471",
    "90686",
]
MODIFIERS = ["25", "59", "LT", "RT", "26", "TC", "XU", "GT", "95", "QW", "76", "GA"]
PLACES_OF_SERVICE = ["11", "22", "21", "23", "02", "10", "12", "19", "31", "81"]
TAXONOMIES = ["207Q00000X", "208D00000X", "207R00000X", "261QM1300X", "363LF0000X"]
LINE_COUNTS = [1, 2, 3, 4, 6, 9, 12, 20, 35, 50]
RELATIONSHIPS = ["self", "spouse", "child", "other"]


def npi_with_check_digit(first_nine: str) -> str:
    """Complete nine digits into a valid NPI by searching the one check digit that passes."""
    npi = next(first_nine + str(d) for d in range(10) if is_valid_npi(first_nine + str(d)))
    return npi


def _address(rng: random.Random, nine_digit_zip: bool = False) -> dict[str, Any]:
    city, state, zip5 = rng.choice(CITIES)
    zip_code = zip5 + f"{rng.randint(0, 9999):04d}" if nine_digit_zip or rng.random() < 0.5 else zip5
    line2 = rng.choice([None, None, "Unit 2B", "Floor 3"])
    return {
        "line1": rng.choice(STREETS),
        "line2": line2,
        "city": city,
        "state": state,
        "postal_code": zip_code,
    }


def _person(rng: random.Random, birth_year: int) -> dict[str, Any]:
    return {
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "date_of_birth": dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "sex": rng.choice(["F", "M", "U"]),
        "address": _address(rng),
    }


def _individual(rng: random.Random, prefix: int) -> dict[str, Any]:
    return {
        "npi": npi_with_check_digit(f"1{prefix:02d}{rng.randint(0, 999_999):06d}"),
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "taxonomy": rng.choice([*TAXONOMIES, None]),
    }


def _coverage(rng: random.Random, index: int, priority: str, relationship: str) -> dict[str, Any]:
    payer_id, payer_name, filing = PAYERS[(index + ["primary", "secondary", "tertiary"].index(priority)) % 6]
    return {
        "priority": priority,
        "payer": {"payer_id": payer_id, "name": payer_name},
        "member_id": f"M{rng.randint(10**8, 10**9 - 1)}{priority[0].upper()}",
        "group_number": rng.choice([None, f"GRP{rng.randint(100, 99999)}"]),
        "claim_filing_indicator": filing,
        "relationship": relationship,
        "subscriber": None if relationship == "self" else _person(rng, rng.randint(1950, 1995)),
    }


def _service_lines(rng: random.Random, count: int, diagnoses: int, visit: dt.date) -> list[dict[str, Any]]:
    lines = []
    for _ in range(count):
        pointers = rng.sample(range(1, diagnoses + 1), k=min(diagnoses, rng.randint(1, 4)))
        units = rng.choice(
            [Decimal("1"), Decimal("1"), Decimal("2"), Decimal("1.5"), Decimal("0.25"), Decimal("12")]
        )
        lines.append(
            {
                "procedure_code": rng.choice(PROCEDURES),
                "modifiers": rng.sample(MODIFIERS, k=rng.choice([0, 0, 1, 1, 2, 4])),
                "units": str(units),
                "charge": str(Decimal(rng.randint(1, 250_000)).scaleb(-2)),
                "diagnosis_pointers": pointers,
                "date_of_service": rng.choice(
                    [None, None, (visit - dt.timedelta(days=rng.randint(1, 5))).isoformat()]
                ),
            }
        )
    return lines


def _billing_providers() -> list[dict[str, Any]]:
    rng = random.Random(20)
    names = ["Springfield Family Medicine", "Valley Ortho & Sports", "Clínica Sol", "Lab 1"]
    return [
        {
            "npi": npi_with_check_digit(f"1{number:08d}"),
            "tax_id": f"{370_000_000 + number:09d}",
            "organization_name": name,
            "taxonomy": TAXONOMIES[number],
            "address": _address(rng, nine_digit_zip=True),
        }
        for number, name in enumerate(names)
    ]


BILLING_PROVIDERS = _billing_providers()


def encounter_document(index: int, rng: random.Random) -> dict[str, Any]:
    """The JSON-shaped encounter for corpus entry index (features cycle so every shape appears)."""
    relationship = RELATIONSHIPS[index % len(RELATIONSHIPS)]
    coverages = [_coverage(rng, index, "primary", relationship)]
    for priority in ["secondary", "tertiary"][: index % 3]:
        coverages.append(_coverage(rng, index, priority, rng.choice(RELATIONSHIPS)))
    diagnosis_count = index % 12 + 1
    visit = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
    billing_provider = BILLING_PROVIDERS[index % len(BILLING_PROVIDERS)]
    # Now and then the facility is the billing address itself, which the writer must leave out.
    facility_address = billing_provider["address"] if index % 11 == 0 else _address(rng)
    return {
        "external_id": f"ENC-{index:06d}",
        "claim_type": "professional",
        "date_of_service": visit.isoformat(),
        "place_of_service": PLACES_OF_SERVICE[index % len(PLACES_OF_SERVICE)],
        "patient": {**_person(rng, rng.randint(1940, 2024)), "account_number": f"PT-{index:05d}"},
        "coverages": coverages,
        "billing_provider": billing_provider,
        "rendering_provider": _individual(rng, 10) if index % 7 else None,
        "referring_provider": _individual(rng, 20) if index % 3 == 1 else None,
        "service_facility": (
            {
                "npi": rng.choice([None, npi_with_check_digit("130000000")]),
                "name": "Northside Imaging Center",
                "address": facility_address,
            }
            if index % 5 in (1, 3)
            else None
        ),
        "prior_authorization": f"AUTH{rng.randint(10**5, 10**7)}" if index % 4 == 2 else None,
        "diagnoses": rng.sample(DIAGNOSES, k=diagnosis_count),
        "service_lines": _service_lines(rng, LINE_COUNTS[index % len(LINE_COUNTS)], diagnosis_count, visit),
    }


def corpus_claims(count: int, seed: int = 5010) -> list[BillableClaim]:
    """count billable claims, the same for the same seed: originals, replacements (7) and voids (8)."""
    rng = random.Random(seed)
    claims = []
    for index in range(count):
        encounter = Encounter.model_validate(encounter_document(index, rng))
        frequency = [ClaimFrequency.ORIGINAL] * 3 + [ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID]
        chosen = frequency[index % 5]
        claims.append(
            BillableClaim(
                patient_control_number=f"PCN{seed % 1000:03d}{index:07d}",
                frequency_code=chosen,
                encounter=encounter,
                line_control_numbers=[f"{index}-{n}" for n in range(1, len(encounter.service_lines) + 1)],
                payer_claim_control_number=None
                if chosen is ClaimFrequency.ORIGINAL
                else f"PAYER{index:010d}",
            )
        )
    return claims


def interchange_header(control_number: int = 1, **overrides: Any) -> InterchangeHeader:
    """A test envelope whose ISA13, GS06 and ST02 all equal control_number unless overridden."""
    values: dict[str, Any] = {
        "sender_id": "CLAIMLINE",
        "sender_name": "Claimline Billing",
        "contact_name": "EDI Desk",
        "contact_phone": "5555550100",
        "receiver_id": "SIMCLEARING",
        "receiver_name": "Sim Clearinghouse",
        "interchange_control_number": control_number,
        "group_control_number": control_number,
        "transaction_set_control_number": control_number,
        "usage_indicator": "T",
        "created_at": dt.datetime(2026, 11, 3, 14, 5),
    }
    values.update(overrides)
    return InterchangeHeader(**values)
