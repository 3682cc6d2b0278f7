"""Reading the TR3 coordination-of-benefits arithmetic back out of an emitted 837 claim block."""

from __future__ import annotations

from decimal import Decimal


def assert_837_balances(block: list[list[str]], line_charge_segment: str, charge_element: int) -> None:
    """TR3 COB arithmetic read back from the file: per line charge - CAS = SVD02; claim charge - all CAS = AMT*D."""
    charge = Decimal(block[0][2])
    prior_at = next(i for i, s in enumerate(block) if s[:2] == ["SBR", "P"])
    end_2320 = next(i for i, s in enumerate(block) if i > prior_at and s[0] in ("SBR", "LX"))
    claim_cas = _cas_total(block[prior_at:end_2320])
    paid = Decimal(next(s[2] for s in block[prior_at:end_2320] if s[:2] == ["AMT", "D"]))
    line_starts = [i for i, s in enumerate(block) if s[0] == "LX"] + [len(block)]
    line_cas_total = Decimal("0")
    svd_total = Decimal("0")
    for start, end in zip(line_starts, line_starts[1:], strict=False):
        line = block[start:end]
        line_charge = Decimal(next(s[charge_element] for s in line if s[0] == line_charge_segment))
        svd_at = next((i for i, s in enumerate(line) if s[0] == "SVD"), None)
        if svd_at is None:
            continue
        line_cas = _cas_total(line[svd_at:])
        assert line_charge - line_cas == Decimal(line[svd_at][2])
        line_cas_total += line_cas
        svd_total += Decimal(line[svd_at][2])
    assert charge - claim_cas - line_cas_total == paid
    if svd_total:
        assert svd_total - claim_cas == paid


def _cas_total(segments: list[list[str]]) -> Decimal:
    total = Decimal("0")
    for cas in (s for s in segments if s[0] == "CAS"):
        total += sum((Decimal(cas[i]) for i in range(3, len(cas), 3) if cas[i]), Decimal("0"))
    return total
