"""All of remittance's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.tables import (
    billed_claim_versions,
    billed_claims,
    claim_encounters,
    era_claims,
    era_files,
    eras,
    ledger_entries,
    messaging,
    payee_identifiers,
    payer_account_entries,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events
from shared.messaging.topics import events_topic

TOPIC = events_topic("remittance")


class RemittanceStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_claim_numbers(self, patient_control_numbers: set[str]) -> None:
        """Hold these claims until the transaction ends: an 835 and the claim's own claim.submitted,
        applied at the same moment, would otherwise each miss the other's uncommitted row (READ
        COMMITTED) and leave the payment unmatched for good. Sorted, so two ERAs cannot deadlock;
        one statement for all of them (PostingStore.lock_claim_numbers)."""
        await PostingStore(self.session).lock_claim_numbers(patient_control_numbers)

    async def lock_claim(self, claim_id: str) -> None:
        """Hold this claim until the transaction ends (a posting, after its claim-number locks): a posting
        reads the claim's coverages while claim.received writes them and looks for the posting, so applied
        at the same moment each would miss the other (READ COMMITTED) and the secondary never be billed."""
        await self.session.execute(select(func.pg_advisory_xact_lock(_claim_lock_key(claim_id))))

    async def try_lock_claim(self, claim_id: str) -> bool:
        """lock_claim without waiting: False when a posting holds the claim. A consumer batch takes its
        claims in record order, so waiting there could deadlock with an ERA taking them in claim order."""
        return bool((await self.session.execute(select(func.pg_try_advisory_xact_lock(
            _claim_lock_key(claim_id))))).scalar_one())

    async def try_lock_claims(self, claim_ids: list[str]) -> bool:
        """try_lock_claim for many claims in one statement (sorted, as postings take them); False when a
        posting holds any of them (the locks taken meanwhile are the transaction's and end with its retry)."""
        taken = (await self.session.execute(text(
            "SELECT bool_and(pg_try_advisory_xact_lock(hashtextextended('remittance-claim-id:' || id, 0))) "
            "FROM unnest(CAST(:ids AS text[])) AS claims(id)"), {"ids": sorted(claim_ids)}))
        return bool(taken.scalar())

    async def upsert_billed_claims(self, rows: list[dict[str, Any]]) -> None:
        """upsert_billed_claim for many claims (one statement, its rows pipelined)."""
        if not rows:
            return
        statement = insert(billed_claims)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["claim_id"], set_={k: statement.excluded[k] for k in rows[0] if k != "claim_id"},
            where=billed_claims.c.claim_version <= statement.excluded.claim_version), rows)

    async def add_billed_versions(self, rows: list[dict[str, Any]]) -> None:
        """add_billed_version for many versions (one statement); redelivered ones change nothing."""
        if rows:
            await self.session.execute(insert(billed_claim_versions).on_conflict_do_nothing(), rows)

    async def upsert_encounters(self, rows: list[dict[str, Any]]) -> None:
        """upsert_encounter for many claims (one statement, its rows pipelined)."""
        if not rows:
            return
        statement = insert(claim_encounters)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["claim_id"], set_={k: statement.excluded[k] for k in rows[0] if k != "claim_id"}), rows)

    async def numbers_with_unposted_payments(self, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of these (tenant, patient control number) pairs, those with a claim payment waiting unposted."""
        if not keys:
            return set()
        rows = (await self.session.execute(
            select(eras.c.tenant_id, era_claims.c.patient_control_number).distinct()
            .join(eras, eras.c.era_id == era_claims.c.era_id)
            .where(era_claims.c.patient_control_number.in_({number for _, number in keys}),
                   era_claims.c.posted.is_(False), eras.c.status.in_(("posted", "partially_matched", "unmatched"))))
                ).all()
        return {(row.tenant_id, row.patient_control_number) for row in rows} & keys

    async def claims_with_posted_payments(self, claim_ids: list[str]) -> set[str]:
        """Of these claims, those an 835 has posted a payment to already."""
        if not claim_ids:
            return set()
        rows = await self.session.execute(select(era_claims.c.claim_id).distinct().where(
            era_claims.c.claim_id.in_(claim_ids), era_claims.c.posted.is_(True)))
        return {str(claim_id) for claim_id in rows.scalars()}

    async def upsert_billed_claim(self, values: dict[str, Any]) -> None:
        """The latest submitted version of a claim is what an 835 is matched against."""
        await self.session.execute(insert(billed_claims).values(**values).on_conflict_do_update(
            index_elements=["claim_id"], set_={k: v for k, v in values.items() if k != "claim_id"},
            where=billed_claims.c.claim_version <= values["claim_version"]))

    async def add_billed_version(self, values: dict[str, Any]) -> None:
        """Keep every version sent with its own lines; a redelivered claim.submitted changes nothing."""
        await self.session.execute(insert(billed_claim_versions).values(**values).on_conflict_do_nothing())

    async def billed_versions(self, claim_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(billed_claim_versions).where(
            billed_claim_versions.c.claim_id == claim_id).order_by(billed_claim_versions.c.claim_version))).all()
        return [dict(r._mapping) for r in rows]

    async def posted_versions(self, claim_id: str) -> dict[str, int]:
        """Payer claim control number (CLP07) of each posted claim payment -> the version it answered."""
        rows = (await self.session.execute(
            select(era_claims.c.payer_claim_control_number, era_claims.c.claim_version).where(
                era_claims.c.claim_id == claim_id, era_claims.c.posted.is_(True),
                era_claims.c.claim_version.is_not(None), era_claims.c.payer_claim_control_number.is_not(None)))).all()
        return {r[0]: r[1] for r in rows}

    async def claims_named_by(self, tenant_id: str, references: Sequence[str]) -> tuple[dict[str, dict],
                                                                                         dict[str, dict]]:
        """The tenant's claims whose payer claim control number, or patient control number, is one of references."""
        wanted = list(references)
        if not wanted:
            return {}, {}
        by_ccn = (await self.session.execute(
            select(era_claims.c.payer_claim_control_number, billed_claims.c.claim_id, billed_claims.c.tenant_id)
            .join(billed_claims, billed_claims.c.claim_id == era_claims.c.claim_id)
            .where(era_claims.c.payer_claim_control_number.in_(wanted), era_claims.c.posted.is_(True),
                   billed_claims.c.tenant_id == tenant_id))).all()
        by_pcn = (await self.session.execute(
            select(billed_claims.c.patient_control_number, billed_claims.c.claim_id, billed_claims.c.tenant_id)
            .where(billed_claims.c.patient_control_number.in_(wanted), billed_claims.c.tenant_id == tenant_id))).all()
        return ({r[0]: {"claim_id": r[1], "tenant_id": r[2]} for r in by_ccn},
                {r[0]: {"claim_id": r[1], "tenant_id": r[2]} for r in by_pcn})

    async def add_payer_account_entries(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(payer_account_entries), list(rows))

    async def payer_account_entries_of(self, tenant_id: str, payer_identifier: str | None = None,
                                       claim_id: str | None = None) -> list[dict[str, Any]]:
        query = select(payer_account_entries).where(payer_account_entries.c.tenant_id == tenant_id)
        if payer_identifier is not None:
            query = query.where(payer_account_entries.c.payer_identifier == payer_identifier)
        if claim_id is not None:
            query = query.where(payer_account_entries.c.claim_id == claim_id)
        rows = (await self.session.execute(query.order_by(payer_account_entries.c.entry_id))).all()
        return [dict(r._mapping) for r in rows]

    async def upsert_encounter(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(claim_encounters).values(**values).on_conflict_do_update(
            index_elements=["claim_id"], set_={k: v for k, v in values.items() if k != "claim_id"}))

    async def encounter(self, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(claim_encounters).where(
            claim_encounters.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None

    async def store_file(self, delivery_id: str, x12: str) -> bool:
        """Keep the file whole first; False when this delivery was seen before."""
        added = (await self.session.execute(insert(era_files).values(
            delivery_id=delivery_id, x12=x12, outcome="received").on_conflict_do_nothing()
            .returning(era_files.c.delivery_id))).first()
        return added is not None

    async def file_x12(self, delivery_id: str) -> str:
        return (await self.session.execute(select(era_files.c.x12).where(
            era_files.c.delivery_id == delivery_id))).scalar_one()

    async def set_file_outcome(self, delivery_id: str, outcome: str, parse_error: str | None = None) -> None:
        await self.session.execute(update(era_files).where(era_files.c.delivery_id == delivery_id)
                                   .values(outcome=outcome, parse_error=parse_error))

    async def add_era(self, values: dict[str, Any]) -> bool:
        """False when the payer's trace number was posted before (a duplicate ERA)."""
        added = (await self.session.execute(insert(eras).values(**values).on_conflict_do_nothing(
            # A literal predicate: with a bound parameter PostgreSQL cannot match the partial index once
            # asyncpg switches the prepared statement to a generic plan (42P10 from the sixth call on).
            index_elements=["payer_identifier", "trace_number"], index_where=text("status <> 'held'"),
        ).returning(eras.c.era_id))).first()
        return added is not None

    async def update_era(self, era_id: str, **values: Any) -> None:
        await self.session.execute(update(eras).where(eras.c.era_id == era_id).values(**values))

    async def era(self, era_id: str) -> dict[str, Any]:
        return dict((await self.session.execute(select(eras).where(eras.c.era_id == era_id))).one()._mapping)

    async def era_for_update(self, era_id: str) -> dict[str, Any] | None:
        """The ERA, locked until the transaction ends (two operators routing it take turns)."""
        row = (await self.session.execute(select(eras).where(eras.c.era_id == era_id).with_for_update())).first()
        return dict(row._mapping) if row else None

    async def unrouted_eras(self, limit: int) -> list[dict[str, Any]]:
        """ERAs no tenant owns (the operator queue), newest first, without their files."""
        rows = (await self.session.execute(select(eras).where(eras.c.tenant_id.is_(None))
                                           .order_by(eras.c.received_at.desc()).limit(limit))).all()
        return [dict(r._mapping) for r in rows]

    async def payee_owners(self, identifier: str) -> list[dict[str, Any]]:
        """Who is paid under an NPI or tax id, as projected here: (kind, tenant id) rows."""
        rows = (await self.session.execute(select(payee_identifiers.c.kind, payee_identifiers.c.tenant_id).where(
            payee_identifiers.c.identifier == identifier).order_by(payee_identifiers.c.kind))).all()
        return [dict(r._mapping) for r in rows]

    async def unposted_era_claims(self, tenant_id: str, patient_control_number: str) -> list[dict[str, Any]]:
        """Claim payments of the tenant's readable, balanced ERAs waiting for this patient control number."""
        rows = (await self.session.execute(select(era_claims, eras.c.delivery_id, eras.c.transaction_index)
                                           .join(eras, eras.c.era_id == era_claims.c.era_id).where(
            era_claims.c.patient_control_number == patient_control_number, era_claims.c.posted.is_(False),
            eras.c.tenant_id == tenant_id, eras.c.status.in_(("posted", "partially_matched", "unmatched"))))).all()
        return [dict(r._mapping) for r in rows]

    async def unposted_claim_payments(self, tenant_id: str, limit: int) -> list[dict[str, Any]]:
        """Claim payments of the tenant's readable, balanced ERAs that posted nothing yet (unknown CLP01 or
        held), newest first."""
        rows = (await self.session.execute(
            select(era_claims, eras.c.delivery_id, eras.c.transaction_index, eras.c.tenant_id, eras.c.received_at,
                   eras.c.payer_identifier, eras.c.trace_number)
            .join(eras, eras.c.era_id == era_claims.c.era_id)
            .where(era_claims.c.posted.is_(False), eras.c.tenant_id == tenant_id,
                   eras.c.status.in_(("posted", "partially_matched", "unmatched")))
            .order_by(eras.c.received_at.desc(), era_claims.c.claim_index).limit(limit))).all()
        return [dict(r._mapping) for r in rows]

    async def unpaid_billed_claims(self, tenant_id: str) -> list[dict[str, Any]]:
        """The tenant's billed claims no payment has settled: what an unmatched claim payment may belong to."""
        rows = (await self.session.execute(select(billed_claims).where(
            billed_claims.c.tenant_id == tenant_id,
            billed_claims.c.status.in_(("submitted", "reversed"))))).all()
        return [dict(r._mapping) for r in rows]

    async def era_claim(self, era_id: str, claim_index: int) -> dict[str, Any] | None:
        row = (await self.session.execute(
            select(era_claims, eras.c.delivery_id, eras.c.transaction_index, eras.c.status.label("era_status"),
                   eras.c.tenant_id.label("era_tenant_id"))
            .join(eras, eras.c.era_id == era_claims.c.era_id)
            .where(era_claims.c.era_id == era_id, era_claims.c.claim_index == claim_index))).first()
        return dict(row._mapping) if row else None

    async def billed_claim(self, tenant_id: str, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(billed_claims).where(
            billed_claims.c.tenant_id == tenant_id, billed_claims.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None

    async def latest_posted_payment(self, claim_id: str) -> dict[str, Any] | None:
        """The claim's last posted claim payment, with where its file is."""
        row = (await self.session.execute(
            select(era_claims, eras.c.delivery_id, eras.c.transaction_index)
            .join(eras, eras.c.era_id == era_claims.c.era_id)
            .where(era_claims.c.claim_id == claim_id, era_claims.c.posted.is_(True))
            .order_by(eras.c.received_at.desc(), era_claims.c.claim_index.desc()).limit(1))).first()
        return dict(row._mapping) if row else None

    async def recorded_event_for_era(self, claim_id: str, event_type: str, era_id: str) -> bool:
        """True when the claim's stream already holds event_type for this ERA."""
        events = messaging.claim_events
        found = (await self.session.execute(select(events.c.event_id).where(
            events.c.claim_id == claim_id, events.c.event_type == event_type,
            events.c.data["era_id"].astext == era_id).limit(1))).first()
        return found is not None

    async def ledger(self, tenant_id: str, claim_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        claim = (await self.session.execute(select(billed_claims).where(
            billed_claims.c.tenant_id == tenant_id, billed_claims.c.claim_id == claim_id))).first()
        if claim is None:
            return None, []
        entries = (await self.session.execute(select(ledger_entries).where(
            ledger_entries.c.claim_id == claim_id).order_by(ledger_entries.c.entry_id))).all()
        return dict(claim._mapping), [dict(e._mapping) for e in entries]

    async def list_eras(self, tenant_id: str, limit: int) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(eras).where(eras.c.tenant_id == tenant_id)
                                           .order_by(eras.c.received_at.desc()).limit(limit))).all()
        return [dict(r._mapping) for r in rows]

    async def claims_of_eras(self, era_ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(era_claims).where(era_claims.c.era_id.in_(list(era_ids)))
                                           .order_by(era_claims.c.era_id, era_claims.c.claim_index))).all()
        return [dict(r._mapping) for r in rows]

    async def record(self, claim_id: str, events: list[EventEnvelope]) -> None:
        await record_events(self.session, messaging, TOPIC, events)  # after whatever the stream holds


def _claim_lock_key(claim_id: str) -> Any:
    return func.hashtextextended(f"remittance-claim-id:{claim_id}", 0)


def cents(value: Decimal) -> str:
    return f"{value:.2f}"
