"""The X12 readers we fuzz: each takes untrusted text from outside (clearinghouses, practices).

A reader may refuse its input only with its own documented error (the one the service turns into
a held file, a problem+json or a dead letter); any other exception is a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
CRASHES = Path(__file__).resolve().parent / "crashes"


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    read: Callable[[str], object]
    refusals: tuple[type[BaseException], ...]  # how the reader says "not a valid document"
    seeds: Path


def _era_835() -> FuzzTarget:
    from services.remittance.domain.era_parser import parse_835
    from shared.x12.tokenizer import X12SyntaxError

    return FuzzTarget("835", parse_835, (X12SyntaxError,), FIXTURES / "835")


def _ack_999() -> FuzzTarget:
    from services.submission.domain.ack_999 import parse_999_all
    from shared.x12.tokenizer import X12SyntaxError

    return FuzzTarget("999", parse_999_all, (X12SyntaxError,), FIXTURES / "999")


def _ack_277ca() -> FuzzTarget:
    from services.submission.domain.ack_277ca import parse_277ca
    from shared.x12.tokenizer import X12SyntaxError

    return FuzzTarget("277ca", parse_277ca, (X12SyntaxError,), FIXTURES / "277ca")


def _claims_837p() -> FuzzTarget:
    from services.intake.adapters.x12_837 import X12DocumentUnreadable, read_837p
    from services.intake.entrypoints.http_formats import intake_rules

    return FuzzTarget("837p", lambda text: read_837p(text, intake_rules), (X12DocumentUnreadable,),
                      FIXTURES / "837p_inbound")


TARGETS: dict[str, Callable[[], FuzzTarget]] = {
    "835": _era_835, "999": _ack_999, "277ca": _ack_277ca, "837p": _claims_837p}


def run_one(target: FuzzTarget, data: bytes) -> None:
    """Feed one input; raise only when the reader fails in an undocumented way."""
    text = data.decode("utf-8", "replace")
    try:
        target.read(text)
    except target.refusals:
        pass
