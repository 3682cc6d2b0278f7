"""Wiring of intake's access parts: the token signing key, its announcement, the per-tenant rate limiter."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from services.intake.adapters.access_repository import AccessStore
from services.intake.domain.access import TenantLimits
from services.intake.service_layer.access import announce_signing_key
from shared.access_tokens import SigningKey
from shared.db import unit_of_work
from shared.http.rate_limit import TenantRateLimiter
from shared.messaging.consumer import is_transient
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


def wire_access(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Put the signing key and the rate limiter on app.state; announce the key when the runtime starts.

    Intake's limiter reads budgets from its own tenants table (the source the tenants topic is made
    from), so a tenant's budget holds from its first request here."""
    settings = runtime.settings
    signing_key = SigningKey.from_setting(settings.oauth_signing_key)
    app.state.signing_key = signing_key
    # This process verifies its own tokens at once, before its announcement comes back from Kafka.
    runtime.key_ring.add(signing_key.kid, signing_key.announcement().public_key)

    async def limits_of(tenant_id: str) -> TenantLimits | None:
        async with runtime.sessions() as session:
            return await AccessStore(session).tenant_limits(tenant_id)

    app.state.rate_limiter = TenantRateLimiter(
        TenantLimits(settings.rate_limit_per_second, settings.rate_limit_burst), limits_of)

    async def announce_then_idle() -> None:
        backoff = 0.5
        while True:
            try:
                async with unit_of_work(runtime.sessions) as session:
                    await announce_signing_key(session, signing_key)
                break
            except Exception as error:
                if not is_transient(error):
                    raise
                log.warning("signing key not announced yet; retrying", extra={"error": type(error).__name__})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        log.info("token signing key announced", extra={"kid": signing_key.kid})
        # The runtime reads a finished loop as a dead one, so this one waits to be cancelled.
        await asyncio.Event().wait()

    runtime.add_loop("intake.signing-key", announce_then_idle)
