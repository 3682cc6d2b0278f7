"""The CMS-1500 (02/12) paper claim, filled from the same claim data as the 837P (pure: no rendering).

Box numbers and contents follow the NUCC 1500 Reference Instruction Manual (version 02/12). Six
service lines fit a form; a longer claim continues on more pages, each repeating the claim boxes,
with "CONTINUED" in box 28 on all but the last page, which carries the claim's total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from services.submission.domain.cob_adjudication import PriorPayerAdjudication, billed_coverage
from services.submission.domain.errors import InvalidBillableClaim
from shared.contracts.encounter import Address, Encounter, Person, ServiceLine

LINES_PER_PAGE = 6
DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"
ICD10_INDICATOR = "0"  # box 21 ICD Ind.: 0 = ICD-10-CM
SIGNATURE_ON_FILE = "SIGNATURE ON FILE"
# Box 1 from the claim filing indicator (SBR09); anything not listed is "Other".
INSURANCE_TYPES = {"MA": "MEDICARE", "MB": "MEDICARE", "MC": "MEDICAID", "CH": "TRICARE", "VA": "CHAMPVA",
                   "FI": "FECA BLK LUNG", "CI": "GROUP HEALTH PLAN", "BL": "GROUP HEALTH PLAN",
                   "HM": "GROUP HEALTH PLAN", "12": "GROUP HEALTH PLAN"}
RELATIONSHIPS = {"self": "SELF", "spouse": "SPOUSE", "child": "CHILD", "other": "OTHER"}
RESUBMISSION_CODES = {"7": "7", "8": "8"}


@dataclass(frozen=True, slots=True)
class FormLine:
    """Box 24, one service line (24A-J)."""

    date_from: str  # 24A, MM DD YY
    date_to: str
    place_of_service: str  # 24B
    procedure: str  # 24D CPT/HCPCS
    modifiers: str  # 24D modifiers, space separated
    diagnosis_pointer: str  # 24E, letters A-L
    charge: str  # 24F
    units: str  # 24G days or units
    rendering_npi: str  # 24J
    supplemental: str  # the shaded line above: N4 + NDC + unit and quantity for drugs


@dataclass(frozen=True, slots=True)
class FormPage:
    """One printed CMS-1500: the claim boxes and up to six lines."""

    page: int
    pages: int
    boxes: dict[str, str]  # box number ("1a", "21A", "28", ...) -> printed text
    lines: tuple[FormLine, ...]


@dataclass(frozen=True, slots=True)
class ClaimOnPaper:
    """What one claim version says, as the form needs it."""

    encounter: Encounter
    patient_account_number: str  # box 26: our patient control number, as CLM01
    frequency_code: str = "1"
    payer_claim_control_number: str | None = None  # box 22 original ref. no. on a 7 or 8
    prior_payer_adjudication: PriorPayerAdjudication | None = None  # the primary's 835 when billing the secondary
    signed_on: dt.date | None = None


def cms1500_pages(claim: ClaimOnPaper) -> list[FormPage]:
    """The form pages for a professional claim (InvalidBillableClaim for an institutional one: that is a UB-04)."""
    encounter = claim.encounter
    if encounter.claim_type != "professional":
        raise InvalidBillableClaim("the CMS-1500 is for professional claims; institutional claims use the UB-04")
    boxes = _claim_boxes(claim)
    chunks = [encounter.service_lines[i:i + LINES_PER_PAGE]
              for i in range(0, len(encounter.service_lines), LINES_PER_PAGE)]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page_boxes = dict(boxes)
        last = number == len(chunks)
        page_boxes["28"] = _money(encounter.total_charge) if last else "CONTINUED"
        pages.append(FormPage(number, len(chunks), page_boxes, tuple(_line(line, encounter) for line in chunk)))
    return pages


def _claim_boxes(claim: ClaimOnPaper) -> dict[str, str]:
    encounter = claim.encounter
    coverage = billed_coverage(encounter, claim.prior_payer_adjudication)
    insured = coverage.subscriber or encounter.patient
    others = [c for c in encounter.coverages if c is not coverage]
    payer = coverage.payer
    boxes = {
        "carrier": f"{payer.name} ({payer.payer_id})",
        "1": INSURANCE_TYPES.get(coverage.claim_filing_indicator, "OTHER"),
        "1a": coverage.member_id,
        "2": _name(encounter.patient),
        "3": f"{_date(encounter.patient.date_of_birth, full=True)} {encounter.patient.sex}",
        "4": _name(insured),
        "5": _address(encounter.patient.address),
        "6": RELATIONSHIPS[coverage.relationship],
        "7": _address(insured.address),
        "11": coverage.group_number or "NONE",
        "11a": f"{_date(insured.date_of_birth, full=True)} {insured.sex}",
        "11c": payer.name,
        "11d": "YES" if others else "NO",
        "12": SIGNATURE_ON_FILE,
        "13": SIGNATURE_ON_FILE,
        "21 ICD Ind.": ICD10_INDICATOR,
        "25": f"{encounter.billing_provider.tax_id} EIN",
        "26": claim.patient_account_number,
        "27": "YES",
        "29": _money(claim.prior_payer_adjudication.paid_total) if claim.prior_payer_adjudication else "",
        "31": _signer(encounter, claim.signed_on),
        "33": f"{encounter.billing_provider.organization_name} {_address(encounter.billing_provider.address)}",
        "33a": encounter.billing_provider.npi,
        "33b": f"ZZ{encounter.billing_provider.taxonomy}",
    }
    if others:
        other = others[0]
        boxes["9"] = _name(other.subscriber or encounter.patient)
        boxes["9a"] = f"{other.member_id} {other.group_number or ''}".strip()
        boxes["9d"] = other.payer.name
    if encounter.referring_provider is not None:
        referring = encounter.referring_provider
        boxes["17"] = f"DN {referring.last_name}, {referring.first_name}"
        boxes["17b"] = referring.npi
    for letter, code in zip(DIAGNOSIS_LETTERS, encounter.diagnoses, strict=False):
        boxes[f"21{letter}"] = code
    if claim.frequency_code in RESUBMISSION_CODES:
        boxes["22"] = f"{claim.frequency_code} {claim.payer_claim_control_number or ''}".strip()
    if encounter.prior_authorization:
        boxes["23"] = encounter.prior_authorization
    facility = encounter.service_facility
    if facility is not None:
        boxes["32"] = f"{facility.name} {_address(facility.address)}"
        if facility.npi:
            boxes["32a"] = facility.npi
    return boxes


def _line(line: ServiceLine, encounter: Encounter) -> FormLine:
    served = line.date_of_service or encounter.date_of_service
    rendering = encounter.rendering_provider
    drug = line.drug
    return FormLine(
        date_from=_date(served), date_to=_date(served), place_of_service=encounter.place_of_service,
        procedure=line.procedure_code, modifiers=" ".join(line.modifiers),
        diagnosis_pointer="".join(DIAGNOSIS_LETTERS[p - 1] for p in line.diagnosis_pointers),
        charge=_money(line.charge), units=_units(line.units),
        rendering_npi=(rendering.npi if rendering is not None else encounter.billing_provider.npi),
        supplemental=f"N4{drug.ndc} {drug.unit}{_units(drug.quantity)}" if drug is not None else "")


def _signer(encounter: Encounter, signed_on: dt.date | None) -> str:
    rendering = encounter.rendering_provider
    who = f"{rendering.first_name} {rendering.last_name}" if rendering is not None else SIGNATURE_ON_FILE
    return f"{who} {_date(signed_on, full=True)}" if signed_on else who


def _name(person: Person) -> str:
    return f"{person.last_name}, {person.first_name}"


def _address(address: Address) -> str:
    street = f"{address.line1} {address.line2}" if address.line2 else address.line1
    return f"{street}, {address.city}, {address.state} {address.postal_code}"


def _date(value: dt.date, full: bool = False) -> str:
    return value.strftime("%m %d %Y" if full else "%m %d %y")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _units(value: Decimal) -> str:
    return format(value.normalize(), "f")

