"""How long to wait before the next attempt to reach a clearinghouse: exponential backoff with full jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry n (1-based) is uniform in [0, min(cap, base * 2**(n-1))]: full jitter keeps many
    senders that failed together from retrying together."""

    base_seconds: float = 1.0
    cap_seconds: float = 300.0

    def ceiling(self, attempt: int) -> float:
        """The largest delay retry `attempt` may get."""
        return min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """A jittered delay for retry `attempt`."""
        return (rng or random).uniform(0, self.ceiling(attempt))
