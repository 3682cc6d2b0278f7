"""Intake's admin API for a tenant's coding policy, behind ADMIN_TOKEN like the rest of /v1/admin."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.intake.domain.access import UnknownTenant
from services.intake.entrypoints.http_admin import administrator
from services.intake.service_layer.coding_policy import TenantCodingPolicy, coding_policy, set_coding_policy
from shared.db import transaction_attempts
from shared.events.tenant_events import WhenNoReleaseCovers
from shared.http.problems import NotFound

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(administrator)])


class CodingPolicyBody(BaseModel):
    """The whole policy; a field left out takes its default."""

    model_config = ConfigDict(extra="forbid")
    hold_undercoding: bool = Field(
        default=False, description="true: a claim billed below the E/M level its note supports waits for a coder; "
                                   "false (default): it goes on with a COD-EM-UNDERCODED warning")
    when_no_release_covers: WhenNoReleaseCovers = Field(
        default="hold_unknown_codes",
        description="when no loaded ICD-10-CM release covers the date of service, coding checks the claim against "
                    "the nearest release with a COD-ICD-RELEASE-ASSUMED warning; hold_unknown_codes (default) holds "
                    "only claims with a code that release lacks, hold_all holds every such claim")


class CodingPolicyView(CodingPolicyBody):
    tenant_id: str
    updated_at: dt.datetime | None = Field(description="when it was last set; null: never set, the defaults apply")


def _view(policy: TenantCodingPolicy) -> CodingPolicyView:
    return CodingPolicyView(tenant_id=policy.tenant_id, hold_undercoding=policy.hold_undercoding,
                            when_no_release_covers=policy.when_no_release_covers, updated_at=policy.updated_at)


@router.get("/tenants/{tenant_id}/coding-policy", summary="A tenant's coding policy (the defaults if never set)")
async def get_coding_policy(request: Request, tenant_id: str) -> CodingPolicyView:
    try:
        async with request.app.state.runtime.sessions() as session:
            return _view(await coding_policy(session, tenant_id))
    except UnknownTenant as unknown:
        raise NotFound(str(unknown)) from None


@router.put("/tenants/{tenant_id}/coding-policy",
            summary="Set a tenant's coding policy; coding applies it to claims it codes from then on")
async def put_coding_policy(request: Request, tenant_id: str, body: CodingPolicyBody) -> CodingPolicyView:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                policy = await set_coding_policy(session, tenant_id, body.hold_undercoding,
                                                 body.when_no_release_covers)
    except UnknownTenant as unknown:
        raise NotFound(str(unknown)) from None
    return _view(policy)
