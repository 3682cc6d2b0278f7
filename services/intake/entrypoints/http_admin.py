"""Intake's admin API: tenants, API keys (issue, retire, revoke), OAuth clients, token signing keys and payee
identifiers, behind ADMIN_TOKEN. The PHI audit log is at GET /v1/admin/audit on every service
(shared/http/admin_audit.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.adapters.access_repository import AccessStore
from services.intake.domain.access import (
    CredentialStopped,
    InvalidScope,
    TenantExists,
    TenantLimits,
    UnknownCredential,
    UnknownTenant,
)
from services.intake.domain.payees import MAX_IDENTIFIERS, InvalidPayeeIdentifier, PayeeIdentifierTaken
from services.intake.service_layer import access
from services.intake.service_layer.payees import registered_payee_identifiers, set_payee_identifiers
from shared.access_tokens import SCOPES
from shared.db import transaction_attempts
from shared.http.access import administrator as administrator  # intake's admin routers import it from here
from shared.http.problems import Conflict, NotFound, Unprocessable

TENANT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(administrator)])


class NewTenant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str = Field(pattern=TENANT_ID)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    rate_limit_per_second: float | None = Field(default=None, gt=0)
    rate_limit_burst: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _limits_together(self) -> NewTenant:
        if (self.rate_limit_per_second is None) != (self.rate_limit_burst is None):
            raise ValueError("give rate_limit_per_second and rate_limit_burst together, or neither")
        return self

    def limits(self) -> TenantLimits | None:
        if self.rate_limit_per_second is None or self.rate_limit_burst is None:
            return None
        return TenantLimits(self.rate_limit_per_second, self.rate_limit_burst)


class NewClient(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scopes: list[str] = Field(default_factory=lambda: list(SCOPES), min_length=1,
                              description=f"any of: {', '.join(SCOPES)}")


class Retirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    not_after: dt.datetime | None = Field(default=None, description="when it stops working everywhere "
                                          "(ISO 8601; without an offset, UTC); default: now")

    def moment(self) -> dt.datetime:
        if self.not_after is None:
            return dt.datetime.now(dt.UTC)
        return self.not_after if self.not_after.tzinfo else self.not_after.replace(tzinfo=dt.UTC)


def _stamp(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _key_view(key: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """revoked_at once the key has stopped; retires_at while a retirement is ahead of it."""
    stops = key["revoked_at"]
    return {**key, "created_at": _stamp(key["created_at"]),
            "revoked_at": _stamp(stops) if stops is not None and stops <= now else None,
            "retires_at": _stamp(stops) if stops is not None and stops > now else None}


@router.post("/tenants", status_code=201, summary="Register a tenant, optionally with its own rate limit")
async def create_tenant(request: Request, body: NewTenant) -> dict[str, Any]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                tenant = await access.create_tenant(session, body.tenant_id, body.name or body.tenant_id, body.limits())
    except TenantExists as exists:
        raise Conflict(str(exists)) from None
    return {**tenant, "created_at": _stamp(tenant["created_at"])}


@router.post("/tenants/{tenant_id}/api-keys", status_code=201, summary="Issue an API key (shown only here, once)")
async def issue_api_key(request: Request, tenant_id: str) -> dict[str, str]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                key_id, key = await access.issue_api_key(session, tenant_id)
    except UnknownTenant as unknown:
        raise NotFound(str(unknown)) from None
    return {"key_id": key_id, "api_key": key, "tenant_id": tenant_id}


@router.get("/tenants/{tenant_id}/api-keys", summary="A tenant's API keys (ids and dates, never the keys)")
async def list_api_keys(request: Request, tenant_id: str) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        keys = await AccessStore(session).api_keys(tenant_id)
    now = dt.datetime.now(dt.UTC)
    return {"api_keys": [_key_view(k, now) for k in keys]}


@router.post("/api-keys/{key_id}/retire",
             summary="Retire an API key: it works until not_after, then stops in every service (rotation)")
async def retire_api_key(request: Request, key_id: str, body: Retirement) -> dict[str, Any]:
    """Issue the new key first, switch the practice to it, then retire the old one with a grace period."""
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                ends = await access.retire_api_key(session, key_id, body.moment())
    except UnknownCredential as unknown:
        raise NotFound(str(unknown)) from None
    except CredentialStopped as stopped:
        raise Conflict(str(stopped)) from None
    return {"key_id": key_id, "not_after": ends.isoformat()}


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke an API key in every service")
async def revoke_api_key(request: Request, key_id: str) -> Response:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                await access.revoke_api_key(session, key_id)
    except UnknownCredential as unknown:
        raise NotFound(str(unknown)) from None
    return Response(status_code=204)


@router.post("/tenants/{tenant_id}/oauth-clients", status_code=201,
             summary="Register an OAuth2 client (client credentials; the secret is shown only here, once)")
async def register_client(request: Request, tenant_id: str, body: NewClient) -> dict[str, Any]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                client = await access.register_client(session, tenant_id, body.scopes)
    except UnknownTenant as unknown:
        raise NotFound(str(unknown)) from None
    except InvalidScope as invalid:
        raise Unprocessable(str(invalid)) from None
    return {"client_id": client.client_id, "client_secret": client.client_secret, "tenant_id": tenant_id,
            "scopes": sorted(client.scopes)}


@router.delete("/oauth-clients/{client_id}", status_code=204,
               summary="Revoke an OAuth2 client and its unexpired tokens in every service")
async def revoke_client(request: Request, client_id: str) -> Response:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                await access.revoke_client(session, client_id)
    except UnknownCredential as unknown:
        raise NotFound(str(unknown)) from None
    return Response(status_code=204)


class PayeeIdentifierSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    npis: list[str] = Field(default_factory=list, max_length=MAX_IDENTIFIERS,
                            description="NPIs an 835 names as its payee (N1*PE*..*XX), 10 digits with check digit")
    tins: list[str] = Field(default_factory=list, max_length=MAX_IDENTIFIERS,
                            description="federal tax ids an 835 names as its payee (N1*PE*..*FI, REF*TJ), 9 digits")


class PayeeIdentifierRegistration(BaseModel):
    tenant_id: str
    revision: int = Field(description="rises with every change; 0 when nothing was ever registered")
    npis: list[str]
    tins: list[str]


@router.put("/tenants/{tenant_id}/payee-identifiers", summary="Set the NPIs and tax ids the tenant's 835s name "
            "as payee (replaces the set; 409 when another tenant holds one)")
async def put_payee_identifiers(request: Request, tenant_id: str,
                                body: PayeeIdentifierSet) -> PayeeIdentifierRegistration:
    """ERAs are routed by payee: an 835 whose N1*PE or REF*TJ names one of these goes to this tenant."""
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                registration = await set_payee_identifiers(session, tenant_id, body.npis, body.tins)
    except UnknownTenant as unknown:
        raise NotFound(str(unknown)) from None
    except InvalidPayeeIdentifier as invalid:
        raise Unprocessable(str(invalid)) from None
    except PayeeIdentifierTaken as taken:
        raise Conflict(str(taken), identifiers=[{"kind": k, "identifier": i} for k, i in taken.taken]) from None
    return PayeeIdentifierRegistration(**registration.as_dict())


@router.get("/tenants/{tenant_id}/payee-identifiers", summary="The NPIs and tax ids the tenant is paid under")
async def get_payee_identifiers(request: Request, tenant_id: str) -> PayeeIdentifierRegistration:
    async with request.app.state.runtime.sessions() as session:
        try:
            registration = await registered_payee_identifiers(session, tenant_id)
        except UnknownTenant as unknown:
            raise NotFound(str(unknown)) from None
    return PayeeIdentifierRegistration(**registration.as_dict())
