"""Claim events owned by the coding service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.
"""

from __future__ import annotations

from shared.events.parts import Part  # noqa: F401
from shared.events.registry import CONTRACTS, ClaimEvent  # noqa: F401
