"""Who sends an 837P to whom, and the control numbers the caller assigned to the envelope."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from services.submission.domain.errors import ClaimNotRepresentable, InvalidInterchangeHeader
from services.submission.domain.x12_values import x12_identifier, x12_text

CONTROL_NUMBER_MAX = 999_999_999  # ISA13 is exactly nine digits; GS06 and ST02 allow up to nine
_PHONE = re.compile(r"^\d{10}$")
_QUALIFIER = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """Envelope facts for one 837P interchange (one ISA, one GS, one ST)."""

    sender_id: str  # ISA06, GS02 and the submitter's NM109
    sender_name: str  # 1000A NM103
    contact_name: str  # 1000A PER02
    contact_phone: str  # 1000A PER04, ten digits
    receiver_id: str  # ISA08, GS03 and the receiver's NM109
    receiver_name: str  # 1000B NM103
    interchange_control_number: int  # ISA13 and IEA02
    group_control_number: int  # GS06 and GE02
    transaction_set_control_number: int  # ST02 and SE02
    usage_indicator: Literal["T", "P"]
    created_at: dt.datetime
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1
    batch_reference: str | None = None  # BHT03; defaults to the transaction set control number

    def __post_init__(self) -> None:
        for name in ("interchange_control_number", "group_control_number", "transaction_set_control_number"):
            number = getattr(self, name)
            if (
                isinstance(number, bool)
                or not isinstance(number, int)
                or not 1 <= number <= CONTROL_NUMBER_MAX
            ):
                raise InvalidInterchangeHeader(f"{name} must be an integer from 1 to {CONTROL_NUMBER_MAX}")
        if self.usage_indicator not in ("T", "P"):
            raise InvalidInterchangeHeader("usage_indicator must be T (test) or P (production)")
        if not _PHONE.match(self.contact_phone):
            raise InvalidInterchangeHeader("contact_phone must be ten digits")
        for name in ("sender_qualifier", "receiver_qualifier"):
            if not _QUALIFIER.match(getattr(self, name)):
                raise InvalidInterchangeHeader(f"{name} must be a two-character ISA qualifier")
        try:
            # GS02/GS03 are 2-15 characters; the ISA pads the same id to 15.
            x12_identifier(self.sender_id, "sender_id", 15, min_length=2)
            x12_identifier(self.receiver_id, "receiver_id", 15, min_length=2)
            x12_identifier(self.batch_reference_text, "batch_reference", 50)
            for name in ("sender_name", "contact_name", "receiver_name"):
                x12_text(getattr(self, name), name, 60)
        except ClaimNotRepresentable as error:
            raise InvalidInterchangeHeader(str(error)) from None

    @property
    def transaction_set_control_text(self) -> str:
        """ST02 as written: at least four digits."""
        return f"{self.transaction_set_control_number:04d}"

    @property
    def batch_reference_text(self) -> str:
        """BHT03 as written."""
        return self.batch_reference or self.transaction_set_control_text
