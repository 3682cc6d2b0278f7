"""Token signing keys as the operator sees them, and their retirement, behind ADMIN_TOKEN.

Rotation: start intake with a new OAUTH_SIGNING_KEY (it announces the new key and signs with it),
then retire the old kid here. By default the old key keeps verifying for one token lifetime, so
tokens it signed a moment ago run out instead of failing mid-flight.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.intake.service_layer.access import retire_signing_key
from shared.access_tokens import SigningKeyRing
from shared.db import transaction_attempts
from shared.http.access import administrator
from shared.http.problems import Conflict, NotFound

router = APIRouter(prefix="/v1/admin/signing-keys", tags=["admin"], dependencies=[Depends(administrator)])


class SigningKeyRetirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    not_after: dt.datetime | None = Field(default=None, description="when tokens it signed stop verifying "
                                          "everywhere; default: now plus one token lifetime")


def _view(ring: SigningKeyRing, kid: str, signing_kid: str) -> dict[str, Any]:
    retires = ring.retired.get(kid)
    return {"kid": kid, "signs_here": kid == signing_kid, "not_after": retires.isoformat() if retires else None,
            "retired": ring.is_retired(kid)}


@router.get("", summary="Every token signing key the tenants topic announced, and when each retires")
async def signing_keys(request: Request) -> dict[str, Any]:
    ring: SigningKeyRing = request.app.state.runtime.key_ring
    signing_kid = request.app.state.signing_key.kid
    return {"signing_keys": [_view(ring, kid, signing_kid) for kid in sorted(ring.keys)]}


@router.post("/{kid}/retire", summary="Retire a signing key: tokens it signed stop verifying in every service")
async def retire(request: Request, kid: str, body: SigningKeyRetirement) -> dict[str, Any]:
    runtime = request.app.state.runtime
    ring: SigningKeyRing = runtime.key_ring
    if kid not in ring.keys:
        raise NotFound(f"no signing key {kid[:40]} was announced")
    if kid == request.app.state.signing_key.kid:
        raise Conflict("this intake signs tokens with that key: start it with a new OAUTH_SIGNING_KEY first")
    asked = body.not_after
    not_after = (asked if asked.tzinfo else asked.replace(tzinfo=dt.UTC)) if asked else (
        dt.datetime.now(dt.UTC) + dt.timedelta(seconds=runtime.settings.access_token_ttl_seconds))
    async for attempt in transaction_attempts(runtime.sessions):
        async with attempt as session:
            await retire_signing_key(session, kid, not_after)
    ring.retire(kid, not_after)  # this process at once; the others within the tenants topic's bound
    return _view(ring, kid, request.app.state.signing_key.kid)
