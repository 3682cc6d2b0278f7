"""The coding service's record of a claim (codes, sources, edits), for appeal letters; absent when unreachable."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


async def fetch_coding(coding_url: str, claim_id: str, authorization: str | None) -> dict[str, Any] | None:
    """GET /v1/claims/{id}/coding with the caller's own credentials; None when coding cannot say."""
    if not coding_url or not authorization:
        return None
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(f"{coding_url}/v1/claims/{claim_id}/coding",
                                        headers={"Authorization": authorization})
    except httpx.HTTPError as error:
        log.warning("coding record unavailable", extra={"error": type(error).__name__})
        return None
    if response.status_code != 200:
        log.info("coding record unavailable", extra={"status": response.status_code})
        return None
    return response.json()
