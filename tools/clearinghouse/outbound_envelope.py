"""Wrap transaction sets the simulator writes (999, 277CA, 835) in ISA/GS/ST...SE/GE/IEA."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.x12.tokenizer import Delimiters, render_segments

CENTS = Decimal("0.01")
DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")

Segment = list[str]


@dataclass(frozen=True, slots=True)
class Party:
    """One end of an interchange and its functional group."""

    qualifier: str  # ISA05/ISA07
    interchange_id: str  # ISA06/ISA08
    application_code: str  # GS02/GS03


@dataclass(frozen=True, slots=True)
class OutboundControl:
    """Control numbers, creation time and usage indicator of an outbound interchange."""

    interchange_control_number: int
    group_control_number: int
    created_at: dt.datetime
    usage_indicator: str = "T"


def x12_amount(amount: Decimal) -> str:
    """Money as X12 R type: cents, without trailing zeros ("85", "85.5", "-12.34")."""
    text = format(amount.quantize(CENTS, rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def x12_date(moment: dt.datetime | dt.date) -> str:
    """CCYYMMDD."""
    return moment.strftime("%Y%m%d")


def x12_time(moment: dt.datetime) -> str:
    """HHMM."""
    return moment.strftime("%H%M")


def write_interchange(
    sender: Party,
    receiver: Party,
    control: OutboundControl,
    functional_id: str,
    version: str,
    transaction_sets: list[tuple[str, list[Segment]]],
) -> str:
    """X12 text of one interchange: one functional group of (set code, body) sets, ST/SE added here."""
    when = control.created_at
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        sender.qualifier, sender.interchange_id.ljust(15)[:15],
        receiver.qualifier, receiver.interchange_id.ljust(15)[:15],
        when.strftime("%y%m%d"), x12_time(when), DELIMITERS.repetition, "00501",
        f"{control.interchange_control_number:09d}", "0", control.usage_indicator, DELIMITERS.component,
    ]  # fmt: skip
    gs = [
        "GS", functional_id, sender.application_code, receiver.application_code,
        x12_date(when), x12_time(when), str(control.group_control_number), "X", version,
    ]  # fmt: skip
    segments: list[Segment] = [isa, gs]
    for number, (code, body) in enumerate(transaction_sets, start=1):
        st02 = f"{number:04d}"
        # the 835 TR3 leaves ST03 unused; the 999 and 277CA carry the implementation reference
        segments.append(["ST", code, st02] + ([version] if functional_id != "HP" else []))
        segments.extend(body)
        segments.append(["SE", str(len(body) + 2), st02])
    segments.append(["GE", str(len(transaction_sets)), str(control.group_control_number)])
    segments.append(["IEA", "1", f"{control.interchange_control_number:09d}"])
    return render_segments([_trim(s) for s in segments], DELIMITERS)


def _trim(segment: Segment) -> Segment:
    # trailing empty elements are not allowed in X12; ISA is fixed-width and keeps its blanks
    if segment[0] == "ISA":
        return segment
    trimmed = list(segment)
    while len(trimmed) > 1 and trimmed[-1] == "":
        trimmed.pop()
    return trimmed
