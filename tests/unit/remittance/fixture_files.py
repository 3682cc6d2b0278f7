"""Where the 835 sample files live and how tests read them."""

from __future__ import annotations

from pathlib import Path

from services.remittance.domain import Remittance, parse_835

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "835"
MALFORMED = frozenset({"truncated_mid_claim.835"})
WELL_FORMED = sorted(p.name for p in FIXTURES.glob("*.835") if p.name not in MALFORMED)


def fixture_text(name: str) -> str:
    """Raw text of one sample file, line breaks as stored."""
    return (FIXTURES / name).read_text(encoding="ascii")


def parse_fixture(name: str) -> list[Remittance]:
    """Every transaction of one sample file."""
    return parse_835(fixture_text(name))
