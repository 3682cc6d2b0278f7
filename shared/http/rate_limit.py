"""Per-tenant rate limits: a token bucket per tenant in each process, 429 problem+json with Retry-After.

Every route a tenant's credential calls takes a token (shared/http/access.py). Per process, not
cluster-wide: N instances admit up to N times the budget. That is the accepted trade for needing
no shared store on the request path. A tenant's own budget comes from intake's tenants table in
intake and from the tenants topic (tenant.registered) everywhere else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.http.problems import ProblemError, problem
from shared.tenant_directory import TenantLimits

# A tenant's own limits are re-read from a database this often, so an administrator's change
# applies without a restart; limits held in memory are read on every request.
LIMITS_REFRESH_SECONDS = 10.0


class RateLimited(ProblemError):
    status, problem_type, title = 429, "rate-limited", "Too many requests"

    def __init__(self, retry_after: float):
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"this tenant's request rate is exceeded; retry after {seconds} s",
                         retry_after=seconds)
        self.retry_after = seconds


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `per_second`; each request takes one."""

    def __init__(self, limits: TenantLimits, now: float):
        self.limits = limits
        self.tokens = float(limits.burst)
        self.updated = now

    def take(self, now: float) -> float:
        """0 when a token was taken; otherwise the seconds until one will be there."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.limits.burst), self.tokens + elapsed * self.limits.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.limits.per_second


LimitsOf = Callable[[str], Awaitable[TenantLimits | None]]


class TenantRateLimiter:
    """One bucket per tenant; a tenant's own limits (if any) replace the default."""

    def __init__(self, default: TenantLimits, limits_of: LimitsOf, clock: Callable[[], float] = time.monotonic,
                 refresh_seconds: float = LIMITS_REFRESH_SECONDS):
        self.default = default
        self.limits_of = limits_of
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.buckets: dict[str, TokenBucket] = {}
        self.limits_read_at: dict[str, float] = {}

    async def admit(self, tenant_id: str) -> None:
        """Take one of the tenant's tokens or raise RateLimited."""
        now = self.clock()
        if now - self.limits_read_at.get(tenant_id, -math.inf) >= self.refresh_seconds:
            limits = await self.limits_of(tenant_id) or self.default
            self.limits_read_at[tenant_id] = now
            bucket = self.buckets.get(tenant_id)
            if bucket is None or bucket.limits != limits:
                self.buckets[tenant_id] = TokenBucket(limits, now)
        wait = self.buckets[tenant_id].take(now)
        if wait > 0:
            raise RateLimited(wait)


def install_rate_limit_problems(app: FastAPI) -> None:
    """429 answers carry Retry-After (RFC 9110) besides the problem body."""

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, error: RateLimited) -> JSONResponse:
        response = problem(error.status, error.problem_type, error.title, error.detail, request.url.path,
                           **error.extensions)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
