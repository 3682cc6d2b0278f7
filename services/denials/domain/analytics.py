"""Denial analytics over plain rows: rates by dimension, overturn rate, dollars recovered, days to resolve."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

DIMENSIONS = ("payer", "category", "carc", "provider", "procedure")
ZERO = Decimal("0")


def _keys(denial: Mapping[str, Any], dimension: str) -> list[str]:
    if dimension == "payer":
        return [denial["payer_id"]]
    if dimension == "category":
        return [denial["category"]]
    if dimension == "carc":
        return list(dict.fromkeys(code.split("-", 1)[-1] for code in denial["reason_codes"])) or ["none"]
    if dimension == "provider":
        return [denial.get("billing_provider_npi") or "unknown"]
    return list(dict.fromkeys(denial.get("procedure_codes") or [])) or ["unknown"]


def _claim_keys(claim: Mapping[str, Any], dimension: str) -> list[str]:
    if dimension == "payer":
        return [claim["payer_id"]]
    if dimension == "provider":
        return [claim["billing_provider_npi"]]
    if dimension == "procedure":
        return list(dict.fromkeys(line["procedure_code"] for line in claim["lines"]))
    return []  # category and CARC exist only on denials: their rate is the share of all billed claims


def denial_rates(dimension: str, denials: Iterable[Mapping[str, Any]], claims: Iterable[Mapping[str, Any]]
                 ) -> list[dict[str, Any]]:
    """Per key: claims billed, claims denied, denial rate and denied dollars."""
    claims = list(claims)
    billed: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for key in _claim_keys(claim, dimension):
            billed[key].add(claim["claim_id"])
    denied: dict[str, set[str]] = defaultdict(set)
    dollars: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for denial in denials:
        for key in _keys(denial, dimension):
            denied[key].add(denial["claim_id"])
            dollars[key] += Decimal(denial["denied_amount"])
    all_claims = {c["claim_id"] for c in claims}
    rows = []
    for key in sorted(set(billed) | set(denied)):
        base = billed[key] if dimension in ("payer", "provider", "procedure") else all_claims
        count = len(base | denied[key]) if dimension in ("payer", "provider", "procedure") else len(base)
        rows.append({"key": key, "claims": count, "denied": len(denied[key]),
                     "denial_rate": round(len(denied[key]) / count, 4) if count else None,
                     "denied_amount": f"{dollars[key]:.2f}"})
    return rows


def recovery_summary(denials: Iterable[Mapping[str, Any]], appeals: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Overturn rate of decided appeals, dollars recovered, and average days from denial to resolution."""
    decided = [a for a in appeals if a["status"] in ("won", "lost", "partially_won")]
    overturned = [a for a in decided if a["status"] in ("won", "partially_won")]
    denials = list(denials)
    resolved = [d for d in denials if d.get("resolved_at") is not None]
    days = [(d["resolved_at"] - d["created_at"]).total_seconds() / 86400 for d in resolved]
    return {
        "denials": len(denials), "resolved": len(resolved),
        "appeals_decided": len(decided),
        "overturn_rate": round(len(overturned) / len(decided), 4) if decided else None,
        "dollars_recovered": f"{sum((Decimal(d['recovered_amount']) for d in denials), ZERO):.2f}",
        "average_days_to_resolve": round(sum(days) / len(days), 2) if days else None,
    }
