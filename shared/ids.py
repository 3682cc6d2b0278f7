"""Identifier parsing at the HTTP edge."""

import uuid

from shared.http.problems import NotFound


def parse_claim_id(claim_id: str) -> str:
    """A claim id in canonical form; a malformed id is simply a claim that does not exist (404)."""
    try:
        return str(uuid.UUID(claim_id))
    except ValueError:
        raise NotFound(f"no claim {claim_id} for this tenant") from None
