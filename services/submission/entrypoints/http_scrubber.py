"""The scrubber's edit library, readable by every tenant: what is checked before a claim is sent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.submission.domain.scrubber import LIBRARY
from shared.http.access import ClaimsReader

router = APIRouter(prefix="/v1", tags=["scrubber"])


@router.get("/scrubber/edits", summary="The pre-submission edits, their severities and effective dates")
async def list_edits(_caller: ClaimsReader) -> dict[str, Any]:
    return {"library_version": LIBRARY.version, "edits": [{
        "edit_id": edit.edit_id, "severity": edit.severity, "message": edit.message, "fix_hint": edit.fix_hint,
        "pointer": edit.pointer, "effective_from": edit.effective_from.isoformat(),
        "effective_to": edit.effective_to.isoformat() if edit.effective_to else None} for edit in LIBRARY.edits]}
