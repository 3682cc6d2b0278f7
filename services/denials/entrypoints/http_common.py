"""What denials' routers share: the reading tenant, the request body base, id checks, views."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.http.access import ReadingTenant
from shared.http.problems import NotFound

Tenant = ReadingTenant  # reads; a write takes its caller with the scope it needs (shared/http/access.py)
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def path_id(value: str) -> str:
    """A path id; anything that is not a UUID is simply not found (never a database error)."""
    if not UUID_PATTERN.match(value):
        raise NotFound("no such resource")
    return value.lower()


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def appeal_view(a: dict[str, Any]) -> dict[str, Any]:
    """An appeal without its PDF bytes (GET .../letter.pdf serves them)."""
    return {"appeal_id": a["appeal_id"], "denial_id": a["denial_id"], "claim_id": a["claim_id"], "level": a["level"],
            "status": a["status"], "denied_on": iso(a["denied_on"]), "deadline": iso(a["deadline"]),
            "deadline_rule": a["deadline_rule"], "appealed_amount": money(a["appealed_amount"]),
            "overturned_amount": money(a.get("overturned_amount")), "override_reason": a.get("override_reason"),
            "evidence_source": a["evidence_source"], "letter_sha256": a["letter_sha256"],
            "letter_url": f"/v1/appeals/{a['appeal_id']}/letter.pdf", "created_by": a["created_by"],
            "sent_by": a.get("sent_by"), "sent_at": iso(a.get("sent_at")), "decided_at": iso(a.get("decided_at"))}


def write_off_view(w: dict[str, Any]) -> dict[str, Any]:
    return {"write_off_id": w["write_off_id"], "denial_id": w["denial_id"], "claim_id": w["claim_id"],
            "amount": money(w["amount"]), "reason_code": w["reason_code"], "note": w.get("note"),
            "status": w["status"], "requested_by": w["requested_by"], "decided_by": w.get("decided_by"),
            "decision_note": w.get("decision_note"), "decided_at": iso(w.get("decided_at"))}
