"""Write a 276 claim status inquiry (005010X212) for claims we sent and heard too little about.

Hierarchy: HL 20 payer (2100A) > 21 us as information receiver (2100B) > 19 billing provider (2100C)
> 22 subscriber (2100D, with DMG when the patient is the subscriber) > 23 dependent (2100E) when the
patient is not the subscriber. The claim status tracking loop (2200D or 2200E) carries the TRN trace
number the 277 echoes, the payer claim control number (REF*1K) once the 277CA gave us one, our CLM01
(REF*EJ), the bill type for institutional claims (REF*BLT), the total charge (AMT*T3) and the service
dates (DTP*472).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.party_segments_837p import (
    demographics,
    member_id,
    organization_name,
    payer_name,
    person_name,
    subscriber_of,
)
from services.submission.domain.x12_values import (
    DELIMITERS,
    segment,
    x12_amount,
    x12_date,
    x12_identifier,
    x12_time,
)
from shared.contracts.encounter import Encounter
from shared.x12.tokenizer import render_segments

IMPLEMENTATION_GUIDE_276 = "005010X212"
FUNCTIONAL_ID_276 = "HR"  # GS01: health care claim status request
REQUEST_STRUCTURE = "0010"  # BHT01: information source, receiver, provider, subscriber, dependent
TRACE_MAX = 50

Segments = list[list[str]]


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiry:
    """One claim to ask about: the encounter as billed, our CLM01 and the trace number for the answer."""

    encounter: Encounter
    patient_control_number: str  # our CLM01, sent back as REF*EJ
    trace_number: str  # TRN02: the 277 echoes it so the answer finds its inquiry
    payer_claim_control_number: str | None = None  # REF*1K, from the 277CA

    @property
    def service_period(self) -> tuple[dt.date, dt.date]:
        """First and last date of service over the claim and its lines."""
        dates = [self.encounter.date_of_service, self.encounter.date_of_service_through or
                 self.encounter.date_of_service]
        dates += [line.date_of_service for line in self.encounter.service_lines if line.date_of_service]
        return min(dates), max(dates)

    @property
    def total_charge(self) -> Decimal:
        """CLM02 as billed."""
        return self.encounter.total_charge


def write_276(header: InterchangeHeader, inquiries: Sequence[ClaimStatusInquiry]) -> str:
    """One 276 interchange (one ST) asking about every inquiry, grouped by payer and billing provider."""
    if not inquiries:
        raise InvalidBillableClaim("a 276 needs at least one claim to ask about")
    if len({i.trace_number for i in inquiries}) != len(inquiries):
        raise InvalidBillableClaim("trace numbers must be unique within a 276")
    body: Segments = [segment("BHT", REQUEST_STRUCTURE, "13", header.batch_reference_text,
                              x12_date(header.created_at), x12_time(header.created_at))]
    counter = _Counter()
    for payer_inquiries in _grouped(inquiries, lambda i: i.encounter.primary_coverage.payer.payer_id):
        source = counter.next()
        body += [segment("HL", source, "", "20", "1"),
                 payer_name("coverage", payer_inquiries[0].encounter.primary_coverage.payer)]
        receiver = counter.next()
        body += [segment("HL", receiver, source, "21", "1"),
                 organization_name("41", header.sender_name, "submitter.name", "46", header.sender_id)]
        for provider_inquiries in _grouped(payer_inquiries, lambda i: i.encounter.billing_provider.npi):
            provider = counter.next()
            billing = provider_inquiries[0].encounter.billing_provider
            body += [segment("HL", provider, receiver, "19", "1"),
                     organization_name("1P", billing.organization_name, "billing_provider.organization_name",
                                       "XX", billing.npi)]
            for inquiry in provider_inquiries:
                body += _subscriber_and_claim(inquiry, counter, provider)
    st02 = header.transaction_set_control_text
    transaction = [segment("ST", "276", st02, IMPLEMENTATION_GUIDE_276), *body]
    transaction.append(segment("SE", str(len(transaction) + 1), st02))
    trailer = [segment("GE", "1", str(header.group_control_number)),
               segment("IEA", "1", f"{header.interchange_control_number:09d}")]
    return render_segments([_isa(header), _gs(header), *transaction, *trailer], DELIMITERS)


def _subscriber_and_claim(inquiry: ClaimStatusInquiry, counter: _Counter, parent: str) -> Segments:
    encounter = inquiry.encounter
    coverage = encounter.primary_coverage
    patient_is_subscriber = coverage.relationship == "self"
    subscriber = subscriber_of(coverage, encounter.patient)
    subscriber_level = counter.next()
    segments = [segment("HL", subscriber_level, parent, "22", "0" if patient_is_subscriber else "1")]
    if patient_is_subscriber:
        segments.append(demographics(subscriber))  # 2000D DMG: required when the patient is the subscriber
    segments.append(person_name("IL", subscriber.last_name, subscriber.first_name, "subscriber", "MI",
                                member_id(coverage, "coverage")))
    if not patient_is_subscriber:
        segments += [segment("HL", counter.next(), subscriber_level, "23"), demographics(encounter.patient),
                     person_name("QC", encounter.patient.last_name, encounter.patient.first_name, "patient")]
    return segments + _claim_tracking(inquiry)


def _claim_tracking(inquiry: ClaimStatusInquiry) -> Segments:
    first, last = inquiry.service_period
    segments = [segment("TRN", "1", x12_identifier(inquiry.trace_number, "trace_number", TRACE_MAX))]
    if inquiry.payer_claim_control_number:
        segments.append(segment("REF", "1K", x12_identifier(inquiry.payer_claim_control_number,
                                                            "payer_claim_control_number", 50)))
    if inquiry.encounter.claim_type == "institutional" and inquiry.encounter.type_of_bill:
        segments.append(segment("REF", "BLT", inquiry.encounter.type_of_bill[-3:]))
    segments += [
        segment("REF", "EJ", x12_identifier(inquiry.patient_control_number, "patient_control_number", 50)),
        segment("AMT", "T3", x12_amount(inquiry.total_charge)),
        segment("DTP", "472", "RD8", f"{x12_date(first)}-{x12_date(last)}"),
    ]
    return segments


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> str:
        self.value += 1
        return str(self.value)


def _grouped(inquiries: Sequence[ClaimStatusInquiry], key: object) -> list[list[ClaimStatusInquiry]]:
    groups: dict[str, list[ClaimStatusInquiry]] = {}
    for inquiry in inquiries:
        groups.setdefault(key(inquiry), []).append(inquiry)  # type: ignore[operator]
    return list(groups.values())


def _gs(header: InterchangeHeader) -> list[str]:
    return segment("GS", FUNCTIONAL_ID_276, header.sender_id, header.receiver_id, x12_date(header.created_at),
                   x12_time(header.created_at), str(header.group_control_number), "X", IMPLEMENTATION_GUIDE_276)


def _isa(header: InterchangeHeader) -> list[str]:
    # Fixed width: every element padded, nothing trimmed.
    return ["ISA", "00", " " * 10, "00", " " * 10, header.sender_qualifier, header.sender_id.ljust(15),
            header.receiver_qualifier, header.receiver_id.ljust(15), header.created_at.strftime("%y%m%d"),
            x12_time(header.created_at), DELIMITERS.repetition, "00501", f"{header.interchange_control_number:09d}",
            "0", header.usage_indicator, DELIMITERS.component]
