"""The operator queue over HTTP (ADMIN_TOKEN): ERAs no tenant owns yet, and routing one once its payee is known.

Routes under /v1/admin are for the platform's operators (the ops console calls them), never for tenants:
an unrouted ERA belongs to nobody until its payee's identifiers are registered.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from services.remittance.adapters.repository import RemittanceStore, cents
from services.remittance.service_layer.operator_queue import EraNotWaiting, EraStillUnrouted, route_era, unrouted_eras
from shared.db import transaction_attempts
from shared.http.access import administrator
from shared.http.problems import Conflict, NotFound
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1/admin", tags=["operators"], dependencies=[Depends(administrator)])


class UnroutedEra(BaseModel):
    era_id: str
    received_at: str
    status: str = Field(description="unrouted, or held when the transaction also does not balance")
    reason: str | None = Field(description="why no tenant owns it: the payee identifiers it names")
    payer_identifier: str | None
    payer_name: str | None
    trace_number: str | None
    total_paid: str | None
    payment_date: str | None
    claims_total: int
    payee_name: str | None
    payee_npi: str | None
    payee_tin: str | None


class UnroutedEras(BaseModel):
    eras: list[UnroutedEra]


class RoutedEra(BaseModel):
    era_id: str
    tenant_id: str
    status: str = Field(description="posted, partially_matched, unmatched, or held")


@router.get("/eras/unrouted", summary="ERAs whose payee no tenant (or more than one) is registered for, newest first")
async def list_unrouted(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> UnroutedEras:
    async with request.app.state.runtime.sessions() as session:
        rows = await unrouted_eras(session, limit)
    return UnroutedEras(eras=[UnroutedEra(
        era_id=r["era_id"], received_at=r["received_at"].isoformat(), status=r["status"], reason=r["hold_reason"],
        payer_identifier=r["payer_identifier"], payer_name=r["payer_name"], trace_number=r["trace_number"],
        total_paid=cents(r["total_paid"]) if r["total_paid"] is not None else None,
        payment_date=r["payment_date"].isoformat() if r["payment_date"] else None, claims_total=r["claims_total"],
        payee_name=r["payee_name"], payee_npi=r["payee_npi"], payee_tin=r["payee_tin"]) for r in rows])


@router.post("/eras/{era_id}/route", summary="Route a waiting ERA by the payee registrations of now, and post it")
async def route(request: Request, era_id: str) -> RoutedEra:
    """409 while its payee names no tenant, or two: register the practice's identifiers first."""
    era_uuid = parse_claim_id(era_id)
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                routed = await route_era(session, era_uuid)
    except EraNotWaiting as error:
        raise NotFound(str(error)) from None
    except EraStillUnrouted as error:
        raise Conflict(str(error)) from None
    return RoutedEra(era_id=routed.era_id, tenant_id=routed.tenant_id, status=routed.status)


class PayeeOwner(BaseModel):
    kind: str = Field(description="npi or tin")
    tenant_id: str


class PayeeOwners(BaseModel):
    identifier: str
    owners: list[PayeeOwner] = Field(description="empty while no tenant registered it (as remittance knows it)")


@router.get("/payee-identifiers/{identifier}", summary="Which tenant 835s naming this NPI or tax id go to")
async def payee_owners(request: Request, identifier: str) -> PayeeOwners:
    """Remittance's copy of intake's registry (tenants topic): what routing reads."""
    async with request.app.state.runtime.sessions() as session:
        owners = await RemittanceStore(session).payee_owners(identifier.replace("-", ""))
    return PayeeOwners(identifier=identifier, owners=[PayeeOwner(**o) for o in owners])
