"""Where the 835 sample files live and how tests read them."""

from __future__ import annotations

from pathlib import Path

from services.remittance.domain import Remittance, parse_835

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "835"
# X12's own examples (005010X221A1 section 3), reproduced as published: see the fixtures' README.
PUBLISHED_EXAMPLES = sorted(p.name for p in FIXTURES.glob("tr3_example_*.835"))
# The published tertiary example writes SVC01 without its procedure code: we refuse it, as pyx12 does.
MALFORMED = frozenset({"truncated_mid_claim.835", "tr3_example_tertiary_payment.835"})
WELL_FORMED = sorted(p.name for p in FIXTURES.glob("*.835") if p.name not in MALFORMED)
WRITTEN_FOR_THE_PROJECT = [name for name in WELL_FORMED if name not in PUBLISHED_EXAMPLES]


def fixture_text(name: str) -> str:
    """Raw text of one sample file, line breaks as stored."""
    return (FIXTURES / name).read_text(encoding="ascii")


def parse_fixture(name: str) -> list[Remittance]:
    """Every transaction of one sample file."""
    return parse_835(fixture_text(name))
