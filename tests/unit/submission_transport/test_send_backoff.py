"""Retry delays grow exponentially up to a cap, with full jitter."""

from __future__ import annotations

import random

import pytest

from services.submission.domain.send_backoff import Backoff


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (30, 60.0)])
def test_the_ceiling_doubles_per_attempt_up_to_the_cap(attempt: int, ceiling: float) -> None:
    assert Backoff(base_seconds=1.0, cap_seconds=60.0).ceiling(attempt) == ceiling


def test_delays_are_jittered_within_the_ceiling() -> None:
    backoff = Backoff(base_seconds=1.0, cap_seconds=60.0)
    rng = random.Random(7)
    delays = [backoff.delay(4, rng) for _ in range(200)]
    assert all(0 <= d <= 8.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # spread out, not one value
    assert max(delays) > 6.0 and min(delays) < 2.0
