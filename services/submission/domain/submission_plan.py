"""How submission names and numbers what it sends: control numbers, envelope parties, ack outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.submission.domain.interchange_header import InterchangeHeader


def patient_control_number_for(claim_id: str) -> str:
    """CLM01: stable for the claim across versions, 20 characters (the TR3 maximum), from its UUID."""
    return claim_id.replace("-", "")[:20].upper()


def line_control_numbers_for(patient_control_number: str, claim_version: int, lines: int) -> list[str]:
    """REF*6R per line: unique across claims and versions so an 835 line finds its way home."""
    return [f"{patient_control_number}-{claim_version}-{index}" for index in range(1, lines + 1)]


@dataclass(frozen=True)
class Submitter:
    """Our identity on the envelope and the clearinghouse's."""

    sender_id: str = "CLAIMLINE"
    sender_name: str = "CLAIMLINE"
    contact_name: str = "CLAIMLINE OPERATIONS"
    contact_phone: str = "8005550100"
    receiver_id: str = "SIMCLEARING"
    receiver_name: str = "SIMULATED CLEARINGHOUSE"
    usage_indicator: str = "T"

    def header(self, control_number: int, now: dt.datetime) -> InterchangeHeader:
        """One number serves ISA13, GS06 and ST02: one claim version per interchange."""
        return InterchangeHeader(
            sender_id=self.sender_id,
            sender_name=self.sender_name,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            receiver_id=self.receiver_id,
            receiver_name=self.receiver_name,
            interchange_control_number=control_number,
            group_control_number=control_number,
            transaction_set_control_number=control_number,
            usage_indicator=self.usage_indicator,  # type: ignore[arg-type]
            created_at=now,
        )
