"""All of the outbound webhooks' SQL: endpoints, queued deliveries and their attempts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, cast, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import webhook_deliveries as deliveries
from services.intake.adapters.tables import webhook_delivery_attempts as attempts
from services.intake.adapters.tables import webhook_endpoints as endpoints
from services.intake.domain.outbound_webhooks import (
    AttemptResult,
    DeliveryStatus,
    DueDelivery,
    EndpointStatus,
    Outcome,
)

ENDPOINT_COLUMNS = (endpoints.c.endpoint_id, endpoints.c.url, endpoints.c.description, endpoints.c.event_types,
                    endpoints.c.status, endpoints.c.disabled_reason, endpoints.c.previous_secret_expires_at,
                    endpoints.c.created_at, endpoints.c.updated_at)
DELIVERY_COLUMNS = (deliveries.c.delivery_id, deliveries.c.sequence, deliveries.c.endpoint_id,
                    deliveries.c.event_type, deliveries.c.event_id, deliveries.c.claim_id, deliveries.c.claim_status,
                    deliveries.c.body, deliveries.c.status, deliveries.c.attempt_count, deliveries.c.queued_at,
                    deliveries.c.next_attempt_at, deliveries.c.last_attempt_at, deliveries.c.delivered_at,
                    deliveries.c.created_at)


class WebhookStore:
    """The outbound webhooks' store; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def add_endpoint(self, row: dict[str, Any]) -> dict[str, Any]:
        created = (await self.session.execute(insert(endpoints).values(**row).returning(*ENDPOINT_COLUMNS))).one()
        return dict(created._mapping)

    async def count_endpoints_locked(self, tenant_id: str) -> int:
        """The tenant's endpoints, counted under a transaction lock of the tenant's registrations."""
        await self.session.execute(select(func.pg_advisory_xact_lock(
            func.hashtext(literal("webhook-endpoints:") + tenant_id))))
        return (await self.session.execute(select(func.count()).select_from(endpoints).where(
            endpoints.c.tenant_id == tenant_id))).scalar_one()

    async def tenant_endpoints(self, tenant_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(*ENDPOINT_COLUMNS).where(endpoints.c.tenant_id == tenant_id)
                                           .order_by(endpoints.c.created_at, endpoints.c.endpoint_id))).all()
        return [dict(r._mapping) for r in rows]

    async def endpoint(self, tenant_id: str, endpoint_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(*ENDPOINT_COLUMNS).where(
            endpoints.c.tenant_id == tenant_id, endpoints.c.endpoint_id == endpoint_id))).first()
        return dict(row._mapping) if row else None

    async def delete_endpoint(self, tenant_id: str, endpoint_id: str) -> bool:
        """Remove the endpoint, its secret and (by cascade) its deliveries and attempts."""
        deleted = (await self.session.execute(delete(endpoints).where(
            endpoints.c.tenant_id == tenant_id, endpoints.c.endpoint_id == endpoint_id,
        ).returning(endpoints.c.endpoint_id))).first()
        return deleted is not None

    async def rotate_secret(self, tenant_id: str, endpoint_id: str, secret: str,
                            previous_valid_until: dt.datetime) -> dict[str, Any] | None:
        """Sign with `secret` from now on; the old secret keeps signing beside it until the given time."""
        row = (await self.session.execute(update(endpoints).where(
            endpoints.c.tenant_id == tenant_id, endpoints.c.endpoint_id == endpoint_id,
        ).values(previous_secret=endpoints.c.secret, previous_secret_expires_at=previous_valid_until, secret=secret,
                 updated_at=func.now()).returning(*ENDPOINT_COLUMNS))).first()
        return dict(row._mapping) if row else None

    async def subscribed_endpoints(self, tenant_id: str, event_type: str) -> list[str]:
        """The tenant's enabled endpoints that asked for event_type."""
        return list((await self.session.execute(select(endpoints.c.endpoint_id).where(
            endpoints.c.tenant_id == tenant_id, endpoints.c.status == EndpointStatus.ENABLED,
            endpoints.c.event_types.any(event_type)))).scalars())

    async def enqueue(self, rows: Sequence[dict[str, Any]]) -> int:
        """Queue deliveries; one already queued for the same endpoint, event and status is skipped."""
        if not rows:
            return 0
        queued = (await self.session.execute(insert(deliveries).values(list(rows)).on_conflict_do_nothing(
            constraint="webhook_deliveries_event_key").returning(deliveries.c.delivery_id))).all()
        return len(queued)

    async def endpoint_deliveries(self, tenant_id: str, endpoint_id: str, *, limit: int, before_sequence: int | None,
                         status: str | None) -> list[dict[str, Any]]:
        """One page of an endpoint's deliveries, newest first, each with its attempts in order."""
        query = select(*DELIVERY_COLUMNS).where(deliveries.c.tenant_id == tenant_id,
                                                deliveries.c.endpoint_id == endpoint_id)
        if before_sequence is not None:
            query = query.where(deliveries.c.sequence < before_sequence)
        if status is not None:
            query = query.where(deliveries.c.status == status)
        rows = [dict(r._mapping) for r in (await self.session.execute(
            query.order_by(deliveries.c.sequence.desc()).limit(limit))).all()]
        tried = await self._attempts([r["delivery_id"] for r in rows])
        for row in rows:
            row["attempts"] = tried.get(row["delivery_id"], [])
        return rows

    async def _attempts(self, delivery_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not delivery_ids:
            return {}
        rows = (await self.session.execute(select(
            attempts.c.delivery_id, attempts.c.attempt_number, attempts.c.attempted_at, attempts.c.status_code,
            attempts.c.error, attempts.c.duration_ms, attempts.c.outcome,
        ).where(attempts.c.delivery_id.in_(delivery_ids)).order_by(attempts.c.attempt_number))).all()
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            attempt = dict(row._mapping)
            grouped.setdefault(attempt.pop("delivery_id"), []).append(attempt)
        return grouped

    async def delivery_for_replay(self, tenant_id: str, delivery_id: str) -> dict[str, Any] | None:
        """The delivery's status and its endpoint's, the row locked against a concurrent dispatcher."""
        row = (await self.session.execute(select(deliveries.c.status, endpoints.c.endpoint_id,
                                                 endpoints.c.status.label("endpoint_status"))
                                          .join(endpoints, endpoints.c.endpoint_id == deliveries.c.endpoint_id)
                                          .where(deliveries.c.tenant_id == tenant_id,
                                                 deliveries.c.delivery_id == delivery_id)
                                          .with_for_update(of=deliveries))).first()
        return dict(row._mapping) if row else None

    async def requeue(self, delivery_id: str, now: dt.datetime) -> dict[str, Any]:
        """Send the delivery again now with a fresh retry window; its id (the webhook-id) stays."""
        row = (await self.session.execute(update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(
            status=DeliveryStatus.PENDING, queued_at=now, window_failures=0, next_attempt_at=now, delivered_at=None,
        ).returning(*DELIVERY_COLUMNS))).one()
        return dict(row._mapping)

    async def take_due(self, now: dt.datetime, limit: int, lease_until: dt.datetime, *, per_endpoint: int,
                       allowances: Mapping[str, int] | None = None, per_tenant: int | None = None,
                       tenant_allowances: Mapping[str, int] | None = None) -> list[DueDelivery]:
        """Take up to `limit` due deliveries for this instance until `lease_until`.

        SKIP LOCKED lets several instances poll at once without taking the same rows; the lease (the
        row's next attempt moved past the send) means no transaction stays open during the HTTP
        calls, and a crashed instance's rows come due again when it runs out. At most `per_endpoint`
        rows of one endpoint are taken, or its entry in `allowances` (the earliest due first); of
        those, at most `per_tenant` of one tenant, or its entry in `tenant_allowances`.
        """
        due = and_(deliveries.c.status == DeliveryStatus.PENDING, deliveries.c.next_attempt_at <= now)
        order = (deliveries.c.next_attempt_at, deliveries.c.delivery_id)
        ranked = select(deliveries.c.delivery_id, deliveries.c.endpoint_id, deliveries.c.tenant_id,
                        deliveries.c.next_attempt_at, func.row_number().over(
                            partition_by=deliveries.c.endpoint_id, order_by=order).label("rank")).where(due) \
            .subquery("ranked")
        allowed = func.coalesce(cast(bindparam("allowances", allowances or {}, type_=JSONB)[ranked.c.endpoint_id]
                                     .astext, Integer), per_endpoint)
        by_tenant = select(ranked.c.delivery_id, func.row_number().over(
            partition_by=ranked.c.tenant_id, order_by=(ranked.c.next_attempt_at, ranked.c.delivery_id),
        ).label("tenant_rank"), ranked.c.tenant_id).where(ranked.c.rank <= allowed).subquery("by_tenant")
        tenant_allowed = func.coalesce(cast(bindparam("tenant_allowances", tenant_allowances or {}, type_=JSONB)[
            by_tenant.c.tenant_id].astext, Integer), per_tenant if per_tenant is not None else limit)
        within_allowance = select(by_tenant.c.delivery_id).where(by_tenant.c.tenant_rank <= tenant_allowed)
        current_secret_only = or_(endpoints.c.previous_secret_expires_at.is_(None),
                                  endpoints.c.previous_secret_expires_at <= now)
        rows = (await self.session.execute(select(
            deliveries.c.delivery_id, deliveries.c.endpoint_id, deliveries.c.tenant_id, deliveries.c.claim_id,
            endpoints.c.url, deliveries.c.body, endpoints.c.secret,
            case((current_secret_only, None), else_=endpoints.c.previous_secret).label("previous_secret"),
            deliveries.c.queued_at, deliveries.c.window_failures, deliveries.c.traceparent,
        ).join(endpoints, endpoints.c.endpoint_id == deliveries.c.endpoint_id).where(
            due, endpoints.c.status == EndpointStatus.ENABLED, deliveries.c.delivery_id.in_(within_allowance))
            .order_by(deliveries.c.next_attempt_at).limit(limit)
            .with_for_update(of=deliveries, skip_locked=True))).all()
        if not rows:
            return []
        await self.session.execute(update(deliveries).where(deliveries.c.delivery_id.in_([r.delivery_id for r in rows]))
                                   .values(next_attempt_at=lease_until))
        return [DueDelivery(
            delivery_id=r.delivery_id, endpoint_id=r.endpoint_id, tenant_id=r.tenant_id, claim_id=r.claim_id,
            url=r.url, body=r.body, signing_secrets=tuple(s for s in (r.secret, r.previous_secret) if s),
            queued_at=r.queued_at, window_failures=r.window_failures, traceparent=r.traceparent) for r in rows]

    async def lock_for_settling(self, endpoint_ids: Sequence[str], delivery_ids: Sequence[str]) -> None:
        """Lock the endpoints, then the deliveries, each in id order: the order a DELETE of an endpoint takes
        them (the endpoint, then its deliveries by cascade), so settling and deleting never deadlock."""
        await self.session.execute(select(endpoints.c.endpoint_id).where(endpoints.c.endpoint_id.in_(
            sorted(set(endpoint_ids)))).order_by(endpoints.c.endpoint_id).with_for_update(key_share=True))
        await self.session.execute(select(deliveries.c.delivery_id).where(deliveries.c.delivery_id.in_(
            sorted(set(delivery_ids)))).order_by(deliveries.c.delivery_id).with_for_update())

    async def record_attempt(self, due: DueDelivery, result: AttemptResult, outcome: Outcome,
                             attempted_at: dt.datetime, next_attempt_at: dt.datetime | None) -> None:
        """Log the attempt and move the delivery on; a delivery no longer pending keeps its state."""
        number = (await self.session.execute(update(deliveries).where(deliveries.c.delivery_id == due.delivery_id)
                                             .values(attempt_count=deliveries.c.attempt_count + 1,
                                                     last_attempt_at=attempted_at)
                                             .returning(deliveries.c.attempt_count))).scalar()
        if number is None:
            return  # the endpoint was deleted while we were sending
        await self.session.execute(insert(attempts).values(
            delivery_id=due.delivery_id, attempt_number=number, attempted_at=attempted_at,
            status_code=result.status_code, error=result.error, duration_ms=result.duration_ms, outcome=outcome))
        still_pending = and_(deliveries.c.delivery_id == due.delivery_id,
                             deliveries.c.status == DeliveryStatus.PENDING)
        if outcome is Outcome.DELIVERED:
            changes: dict[str, Any] = {"status": DeliveryStatus.DELIVERED, "delivered_at": attempted_at,
                                       "next_attempt_at": None}
        elif outcome is Outcome.RETRY:
            changes = {"window_failures": deliveries.c.window_failures + 1, "next_attempt_at": next_attempt_at}
        elif outcome is Outcome.EXPIRED:
            changes = {"status": DeliveryStatus.EXPIRED, "next_attempt_at": None}
        else:
            await self.disable_endpoint(due.endpoint_id, "the endpoint answered 410 Gone")
            return
        await self.session.execute(update(deliveries).where(still_pending).values(**changes))

    async def disable_endpoint(self, endpoint_id: str, reason: str) -> None:
        """Stop sending to the endpoint and cancel everything still queued for it."""
        await self.session.execute(update(endpoints).where(endpoints.c.endpoint_id == endpoint_id).values(
            status=EndpointStatus.DISABLED, disabled_reason=reason, updated_at=func.now()))
        await self.session.execute(update(deliveries).where(
            deliveries.c.endpoint_id == endpoint_id, deliveries.c.status == DeliveryStatus.PENDING,
        ).values(status=DeliveryStatus.CANCELLED, next_attempt_at=None))
