"""The per-tenant token bucket: a burst at once, then the sustained rate, and an honest Retry-After."""

from __future__ import annotations

import pytest

from shared.http.rate_limit import RateLimited, TenantRateLimiter, TokenBucket
from shared.tenant_directory import TenantLimits


def test_a_full_bucket_admits_the_burst_then_refuses():
    bucket = TokenBucket(TenantLimits(per_second=2, burst=3), now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(0.5)


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst():
    bucket = TokenBucket(TenantLimits(per_second=10, burst=2), now=0.0)
    bucket.take(0.0), bucket.take(0.0)
    assert bucket.take(0.05) == pytest.approx(0.05)  # half a token back: wait for the other half
    assert bucket.take(0.1) == 0.0
    assert bucket.take(100.0) == 0.0 and bucket.take(100.0) == 0.0  # refilled to 2, not 1000
    assert bucket.take(100.0) > 0


def test_a_clock_going_backwards_adds_nothing():
    bucket = TokenBucket(TenantLimits(per_second=1, burst=1), now=10.0)
    assert bucket.take(10.0) == 0.0
    assert bucket.take(5.0) > 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_each_tenant_has_its_own_bucket_and_its_own_limits():
    clock = FakeClock()
    own = {"small": TenantLimits(per_second=1, burst=2)}

    async def limits_of(tenant_id: str) -> TenantLimits | None:
        return own.get(tenant_id)

    limiter = TenantRateLimiter(TenantLimits(per_second=100, burst=5), limits_of, clock)
    for _ in range(2):
        await limiter.admit("small")
    with pytest.raises(RateLimited) as refused:
        await limiter.admit("small")
    assert refused.value.status == 429 and refused.value.retry_after == 1
    for _ in range(5):  # another tenant is not affected, and has the default burst
        await limiter.admit("big")
    with pytest.raises(RateLimited):
        await limiter.admit("big")
    clock.now = 1.0
    await limiter.admit("small")


async def test_changed_limits_apply_after_the_refresh_interval():
    clock = FakeClock()
    own = {"t": TenantLimits(per_second=1, burst=1)}

    async def limits_of(tenant_id: str) -> TenantLimits | None:
        return own.get(tenant_id)

    limiter = TenantRateLimiter(TenantLimits(per_second=100, burst=100), limits_of, clock)
    await limiter.admit("t")
    own["t"] = TenantLimits(per_second=1, burst=50)
    with pytest.raises(RateLimited):
        await limiter.admit("t")
    clock.now = 10.0
    for _ in range(50):
        await limiter.admit("t")


@pytest.mark.parametrize(("wait", "header"), [(0.01, 1), (1.0, 1), (1.2, 2), (30.0, 30)])
def test_retry_after_is_whole_seconds_rounded_up(wait, header):
    assert RateLimited(wait).retry_after == header
