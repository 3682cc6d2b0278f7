"""Remittance's SQL for posting an 835 as sets: every read takes all the file's claims at once, every
write is one statement per table, a binary COPY for plain appends (PERFORMANCE.md: sets, not rows;
count round trips).

Array parameters (`= ANY(:values)`, `unnest`) keep each statement's text the same whatever the file's
size, so asyncpg prepares it once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    String,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID, Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.tables import (
    billed_claim_versions,
    billed_claims,
    claim_encounters,
    era_claims,
    era_files,
    eras,
    ledger_entries,
    payee_identifiers,
)

TEXTS, UUIDS = ARRAY(Text), ARRAY(UUID(as_uuid=False))


def _in(column: Any, values: Collection[str], array_type: Any = TEXTS) -> Any:
    """column = ANY(one array parameter): one statement text for any number of values."""
    return column == any_(cast(bindparam(None, list(values), type_=array_type), array_type))


def unnest_insert(table: Table, columns: Sequence[str]) -> Insert:
    """INSERT INTO table (columns) SELECT * FROM unnest(one array parameter per column): any number of rows in
    one statement and one round trip. Build it once per table; pass unnest_rows(table, columns, rows).

    Measured against json_populate_recordset (one JSON document): the same client CPU, a third less of the
    database's; a multi-row VALUES would hit asyncpg's 32,767 parameters at a few thousand rows. JSON
    values travel as text and are cast back, since an array parameter would read a JSON list as a dimension."""
    arrays, selected = [], []
    for name in columns:
        array_type = ARRAY(Text if _is_json(table, name) else table.c[name].type)
        arrays.append(cast(bindparam(f"rows_{name}", type_=array_type), array_type))
    given = func.unnest(*arrays).table_valued(*columns).render_derived()
    selected = [cast(given.c[name], JSONB) if _is_json(table, name) else given.c[name] for name in columns]
    return insert(table).from_select(list(columns), select(*selected))


class EncodedJson(str):
    """A JSON value already encoded (say, the bytes an event goes to Kafka with): not encoded again."""


def unnest_rows(table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The parameters of an unnest_insert: one list per column."""
    return {f"rows_{name}": [_json_text(row[name]) for row in rows] if _is_json(table, name)
            else [row[name] for row in rows] for name in columns}


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, EncodedJson):
        return value
    return json.dumps(value)


async def copy_rows(session: AsyncSession, table: Table, columns: Sequence[str],
                    rows: Sequence[dict[str, Any]]) -> None:
    """Append rows with PostgreSQL's binary COPY, on the session's connection and in its transaction.

    For plain appends (no conflict to resolve) of thousands of rows: measured at half the client's and the
    database's CPU of the same rows through unnest (asyncpg checks every array element for a sub-array)."""
    if not rows:
        return
    connection = await (await session.connection()).get_raw_connection()
    json_columns = {name for name in columns if _is_json(table, name)}
    records = [tuple(_json_text(row[name]) if name in json_columns else row[name] for name in columns)
               for row in rows] if json_columns else [tuple(row[name] for name in columns) for row in rows]
    await connection.driver_connection.copy_records_to_table(table.name, schema_name=table.schema,
                                                             columns=list(columns), records=records)


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[str(row._mapping[key])].append(dict(row._mapping))
    return found


ERA_CLAIM_COLUMNS = [c.name for c in era_claims.c]
_era_claims_insert = unnest_insert(era_claims, ERA_CLAIM_COLUMNS)
# A claim payment listed unposted (unknown CLP01, held) takes its posting's row when it is matched late.
ERA_CLAIMS_UPSERT = _era_claims_insert.on_conflict_do_update(
    index_elements=["era_id", "claim_index"],
    set_={name: _era_claims_insert.excluded[name] for name in ERA_CLAIM_COLUMNS
          if name not in ("era_id", "claim_index")})
LEDGER_COLUMNS = [c.name for c in ledger_entries.c if c.name not in ("entry_id", "posted_at")]


class PostingStore:
    """The reads and writes of posting claim payments, each over a set of claims."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_claim_numbers(self, patient_control_numbers: Collection[str]) -> None:
        """RemittanceStore.lock_claim_numbers for many numbers in one statement, in the same (sorted) order."""
        await self._advisory_locks("remittance-claim:", sorted(patient_control_numbers))

    async def lock_claims(self, claim_ids: Collection[str]) -> None:
        """RemittanceStore.lock_claim for many claims in one statement, sorted so two postings cannot deadlock."""
        await self._advisory_locks("remittance-claim-id:", sorted(claim_ids))

    async def _advisory_locks(self, prefix: str, names: list[str]) -> None:
        if not names:
            return
        # Taken in array order (WITH ORDINALITY): PostgreSQL evaluates a volatile target after the sort.
        numbered = func.unnest(cast(bindparam("names", names, type_=TEXTS), TEXTS)).table_valued(
            "name", with_ordinality="position").render_derived()
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(literal(prefix, Text).concat(numbered.c.name), 0)))
            .order_by(numbered.c.position))

    async def payee_owners(self, identifiers: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(kind, identifier) -> the tenant paid under it, for those registered."""
        if not identifiers:
            return {}
        rows = (await self.session.execute(select(payee_identifiers).where(
            _in(payee_identifiers.c.identifier, {identifier for _, identifier in identifiers})))).all()
        return {(r.kind, r.identifier): r.tenant_id for r in rows if (r.kind, r.identifier) in identifiers}

    async def billed_claims_by_number(self, tenant_id: str, numbers: Collection[str]) -> dict[str, dict[str, Any]]:
        """The tenant's billed claims by patient control number (the latest version's row where several)."""
        if not numbers:
            return {}
        rows = (await self.session.execute(
            select(billed_claims).distinct(billed_claims.c.patient_control_number)
            .where(billed_claims.c.tenant_id == tenant_id, _in(billed_claims.c.patient_control_number, numbers))
            .order_by(billed_claims.c.patient_control_number, billed_claims.c.claim_version.desc()))).all()
        return {r.patient_control_number: dict(r._mapping) for r in rows}

    async def versions_of(self, claim_ids: Collection[str]) -> dict[str, list[dict[str, Any]]]:
        """Every billed version of each claim, oldest first."""
        return _grouped((await self.session.execute(
            select(billed_claim_versions).where(_in(billed_claim_versions.c.claim_id, claim_ids, UUIDS))
            .order_by(billed_claim_versions.c.claim_id, billed_claim_versions.c.claim_version))).all(), "claim_id")

    async def posted_payments_of(self, claim_ids: Collection[str]) -> dict[str, list[dict[str, Any]]]:
        """Each claim's posted claim payments, oldest first, with where their file is."""
        return _grouped((await self.session.execute(
            select(era_claims, eras.c.delivery_id, eras.c.transaction_index, eras.c.received_at)
            .join(eras, eras.c.era_id == era_claims.c.era_id)
            .where(_in(era_claims.c.claim_id, claim_ids, UUIDS), era_claims.c.posted.is_(True))
            .order_by(era_claims.c.claim_id, eras.c.received_at, era_claims.c.era_id, era_claims.c.claim_index)
        )).all(), "claim_id")

    async def ledger_rows_of(self, claim_ids: Collection[str]) -> dict[str, list[dict[str, Any]]]:
        """Each claim's ledger entries in posting order."""
        return _grouped((await self.session.execute(
            select(ledger_entries).where(_in(ledger_entries.c.claim_id, claim_ids, UUIDS))
            .order_by(ledger_entries.c.claim_id, ledger_entries.c.entry_id))).all(), "claim_id")

    async def coverage_priorities_of(self, claim_ids: Collection[str]) -> dict[str, list[str]]:
        """Each known encounter's coverage priorities in order (claims whose encounter is unknown are absent)."""
        rows = (await self.session.execute(select(claim_encounters.c.claim_id, claim_encounters.c.coverages).where(
            _in(claim_encounters.c.claim_id, claim_ids, UUIDS)))).all()
        return {str(r.claim_id): [c["priority"] for c in r.coverages] for r in rows}

    async def files(self, delivery_ids: Collection[str]) -> dict[str, str]:
        """The stored 835 text of each delivery."""
        if not delivery_ids:
            return {}
        rows = (await self.session.execute(select(era_files.c.delivery_id, era_files.c.x12).where(
            _in(era_files.c.delivery_id, delivery_ids)))).all()
        return {r.delivery_id: r.x12 for r in rows}

    async def add_era_claims(self, rows: Sequence[dict[str, Any]]) -> None:
        """era_claims rows in one statement; a row for a claim payment already listed replaces it (matched late)."""
        if not rows:
            return
        await self.session.execute(ERA_CLAIMS_UPSERT, unnest_rows(era_claims, ERA_CLAIM_COLUMNS, rows))

    async def add_entries(self, rows: Sequence[dict[str, Any]]) -> None:
        """Ledger entries in one COPY, in the order given (entry ids follow it)."""
        await copy_rows(self.session, ledger_entries, LEDGER_COLUMNS, rows)

    async def set_claim_statuses(self, statuses: dict[str, tuple[str, bool]]) -> None:
        """claim id -> (status, forwarded) in one UPDATE; a crossover mark stays once set."""
        if statuses:
            await self.session.execute(STATUS_UPDATE, {
                "claim_ids": list(statuses), "statuses": [s for s, _ in statuses.values()],
                "forwarded": [f for _, f in statuses.values()]})


_given_statuses = func.unnest(cast(bindparam("claim_ids", type_=UUIDS), UUIDS),
                              cast(bindparam("statuses", type_=TEXTS), TEXTS),
                              cast(bindparam("forwarded", type_=ARRAY(Boolean)), ARRAY(Boolean)),
                              ).table_valued("claim_id", "status", "forwarded").render_derived()
STATUS_UPDATE = (update(billed_claims).where(billed_claims.c.claim_id == _given_statuses.c.claim_id)
                 .values(status=cast(_given_statuses.c.status, String),
                         forwarded=billed_claims.c.forwarded | _given_statuses.c.forwarded, updated_at=func.now()))
