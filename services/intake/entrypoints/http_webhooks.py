"""The outbound webhooks API: a tenant's endpoints for claim status changes, their deliveries, replays."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, UrlConstraints, field_validator

from services.intake.domain.outbound_webhooks import (
    STATUS_CHANGED,
    DeliveryNotFound,
    DeliveryStatus,
    DeliveryStillPending,
    EndpointDisabled,
    EndpointNotFound,
    TooManyEndpoints,
)
from services.intake.domain.webhook_targets import WebhookTargetRefused, check_url
from services.intake.service_layer import webhook_deliveries as use_cases
from shared.db import transaction_attempts
from shared.http.access import WebhooksManager
from shared.http.problems import Conflict, InvalidRequest, NotFound

router = APIRouter(prefix="/v1", tags=["outbound webhooks"])
# the domain's EVENT_TYPES; a unit test keeps them in step
EventType = Literal["claim.status_changed", "claim.appeal_deadline_approaching"]


MAX_URL_LENGTH = 2048  # the column's size
ENDPOINT_ID = re.compile(r"^ep_[0-9a-f]{32}$")
DELIVERY_ID = re.compile(r"^msg_[0-9a-f]{32}$")


class EndpointRegistration(BaseModel):
    """Where to send which events; the URL must be https to a public host (http and local hosts in development)."""

    model_config = ConfigDict(extra="forbid")

    # The column holds 2048 characters; a longer URL is a 422, not a database error.
    url: Annotated[HttpUrl, UrlConstraints(max_length=MAX_URL_LENGTH)]
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] = Field(default_factory=lambda: [STATUS_CHANGED], min_length=1)

    @field_validator("url")
    @classmethod
    def _normalised_url_fits(cls, url: HttpUrl) -> HttpUrl:
        # checked again after normalisation: an international host name grows into punycode
        if len(str(url)) > MAX_URL_LENGTH:
            raise ValueError(f"the URL is longer than {MAX_URL_LENGTH} characters")
        return url

    @field_validator("description")
    @classmethod
    def _printable(cls, description: str | None) -> str | None:
        if description is not None and not description.isprintable():
            raise ValueError("the description may not contain control characters")
        return description


def known_endpoint_id(endpoint_id: str) -> str:
    """A malformed endpoint id is simply an endpoint that does not exist (404)."""
    if not ENDPOINT_ID.match(endpoint_id):
        raise NotFound(str(EndpointNotFound(endpoint_id[:40])))
    return endpoint_id


def known_delivery_id(delivery_id: str) -> str:
    """A malformed delivery id is simply a delivery that does not exist (404)."""
    if not DELIVERY_ID.match(delivery_id):
        raise NotFound(str(DeliveryNotFound(delivery_id[:40])))
    return delivery_id


def endpoint_json(endpoint: dict[str, Any]) -> dict[str, Any]:
    body = {"id": endpoint["endpoint_id"], "url": endpoint["url"], "description": endpoint["description"],
            "event_types": endpoint["event_types"], "status": endpoint["status"],
            "disabled_reason": endpoint["disabled_reason"], "created_at": endpoint["created_at"].isoformat(),
            "updated_at": endpoint["updated_at"].isoformat()}
    if "secret" in endpoint:
        body["secret"] = endpoint["secret"]
        expires = endpoint["previous_secret_expires_at"]
        body["previous_secret_expires_at"] = expires.isoformat() if expires else None
    return body


def delivery_json(delivery: dict[str, Any]) -> dict[str, Any]:
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"id": delivery["delivery_id"], "endpoint_id": delivery["endpoint_id"],
            "event_type": delivery["event_type"], "event_id": delivery["event_id"],
            "claim_id": delivery["claim_id"], "claim_status": delivery["claim_status"], "status": delivery["status"],
            "attempt_count": delivery["attempt_count"], "created_at": when(delivery["created_at"]),
            "queued_at": when(delivery["queued_at"]), "next_attempt_at": when(delivery["next_attempt_at"]),
            "last_attempt_at": when(delivery["last_attempt_at"]), "delivered_at": when(delivery["delivered_at"]),
            "payload": json.loads(delivery["body"]),
            "attempts": [{**attempt, "attempted_at": attempt["attempted_at"].isoformat()}
                         for attempt in delivery.get("attempts", [])]}


@router.post("/webhook-endpoints", status_code=201, summary="Register an endpoint for claim status changes")
async def post_webhook_endpoint(request: Request, registration: EndpointRegistration,
                                caller: WebhooksManager) -> dict[str, Any]:
    """Answers with the endpoint's signing secret (whsec_...); it is shown this once only.

    The URL's scheme and a literal address are checked here (422); where a name resolves is checked
    each time a webhook is sent. A tenant with `max_endpoints_per_tenant` endpoints gets 409."""
    settings = request.app.state.outbound_webhooks
    try:
        check_url(str(registration.url), settings.target_rules())
    except WebhookTargetRefused as refused:
        raise InvalidRequest("1 field(s) failed validation", errors=[{"pointer": "/url", "detail": str(refused)}]) \
            from None
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                endpoint = await use_cases.register_endpoint(
                    session, caller.tenant_id, str(registration.url), registration.description,
                    list(registration.event_types), settings.max_endpoints_per_tenant)
    except TooManyEndpoints as too_many:
        raise Conflict(str(too_many), max_endpoints=too_many.limit) from None
    return endpoint_json(endpoint)


@router.get("/webhook-endpoints", summary="The tenant's webhook endpoints (without secrets)")
async def get_webhook_endpoints(request: Request, caller: WebhooksManager) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        endpoints = await use_cases.list_endpoints(session, caller.tenant_id)
    return {"endpoints": [endpoint_json(e) for e in endpoints]}


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204, summary="Remove an endpoint and its deliveries")
async def delete_webhook_endpoint(request: Request, endpoint_id: str, caller: WebhooksManager) -> Response:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                await use_cases.delete_endpoint(session, caller.tenant_id, known_endpoint_id(endpoint_id))
    except EndpointNotFound as missing:
        raise NotFound(str(missing)) from None
    return Response(status_code=204)


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", summary="Issue a new signing secret")
async def rotate_webhook_secret(request: Request, endpoint_id: str, caller: WebhooksManager) -> dict[str, Any]:
    """The new secret is shown once; the old one keeps signing beside it for 24 hours."""
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                endpoint = await use_cases.rotate_endpoint_secret(
                    session, caller.tenant_id, known_endpoint_id(endpoint_id), dt.datetime.now(dt.UTC))
    except EndpointNotFound as missing:
        raise NotFound(str(missing)) from None
    return endpoint_json(endpoint)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries", summary="An endpoint's deliveries and their attempts")
async def get_webhook_deliveries(
    request: Request, endpoint_id: str, caller: WebhooksManager,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page")] = None,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> dict[str, Any]:
    """Newest first; pass next_cursor back as cursor for the next page (null on the last page)."""
    try:
        async with request.app.state.runtime.sessions() as session:
            page = await use_cases.list_deliveries(session, caller.tenant_id, known_endpoint_id(endpoint_id),
                                                   limit=limit, before_sequence=int(cursor) if cursor else None,
                                                   status=status)
    except EndpointNotFound as missing:
        raise NotFound(str(missing)) from None
    next_cursor = str(page[-1]["sequence"]) if len(page) == limit else None
    return {"deliveries": [delivery_json(d) for d in page], "next_cursor": next_cursor}


@router.post("/webhook-deliveries/{delivery_id}/replay", status_code=202, summary="Send a finished delivery again")
async def replay_webhook_delivery(request: Request, delivery_id: str, caller: WebhooksManager) -> dict[str, Any]:
    """Same webhook-id and body, so a receiver that already has it can drop it."""
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                delivery = await use_cases.replay_delivery(session, caller.tenant_id, known_delivery_id(delivery_id),
                                                           dt.datetime.now(dt.UTC))
    except DeliveryNotFound as missing:
        raise NotFound(str(missing)) from None
    except (DeliveryStillPending, EndpointDisabled) as refused:
        raise Conflict(str(refused)) from None
    return delivery_json(delivery)
