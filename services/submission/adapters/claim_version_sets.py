"""Submission's SQL for claim versions as sets: whatever a consumer batch, a batch send or an acknowledgement file
touches is read with one statement per table and written with one statement per table, whatever its size.

Statements are built once (functools.cache) and take arrays (`unnest`), so a batch of 500 claims costs the
same round trips as a batch of one. Rows are locked in claim or submission id order, so two transactions that
touch the same claims wait for each other instead of deadlocking. Callers own the transaction.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, TextualSelect, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import SCHEMA

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewBillingClaim:
    """A claim seen for the first time: what submission keeps of it."""

    claim_id: str
    tenant_id: str
    patient_control_number: str
    encounter: dict[str, Any]
    status: str
    current_version: int = 1


@dataclass(frozen=True, slots=True)
class BillingClaimChange:
    """A billing claim's new state (the caller read it locked); encounter None keeps the stored one."""

    claim_id: str
    status: str
    current_version: int
    correction_pending: bool
    encounter: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class NewSubmission:
    """One claim version queued for the dispatcher (status pending) with its single-claim interchange."""

    submission_id: str
    claim_id: str
    tenant_id: str
    claim_version: int
    frequency_code: str
    payer_id: str
    interchange_control_number: int
    x12: str
    traceparent: str | None
    encounter: dict[str, Any]
    payer_responsibility: str
    trigger: str = "coded"
    corrects_payer_claim_control_number: str | None = None
    prior_payer: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Adjudication:
    """An 835 posting for the latest version sent to a payer: its outcome and the payer's claim number."""

    claim_id: str
    payer_id: str
    claim_status: str
    payer_claim_control_number: str | None


@dataclass(frozen=True, slots=True)
class SubmissionState:
    """What sending and acknowledging change on a submission; written whole (the caller read the row locked)."""

    submission_id: str
    status: str
    send_attempts: int
    sent_at: Any
    last_error: str | None
    ack_999: str | None
    ack_277ca: dict[str, Any] | None
    payer_claim_control_number: str | None

    @classmethod
    def of(cls, row: Row) -> SubmissionState:
        return cls(row["submission_id"], row["status"], row["send_attempts"], row["sent_at"], row["last_error"],
                   row["ack_999"], row["ack_277ca"], row["payer_claim_control_number"])


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"), default=str)


@functools.cache
def _lock_claims_statement(only_pending_correction: bool) -> TextualSelect:
    held = " AND correction_pending" if only_pending_correction else ""
    return text(f"""
        SELECT claim_id::text AS claim_id, tenant_id, patient_control_number, encounter, current_version,
               payer_claim_control_number, status, correction_pending
        FROM {SCHEMA}.billing_claims WHERE claim_id = ANY(CAST(:claim_ids AS uuid[])){held}
        ORDER BY claim_id FOR UPDATE""").columns(encounter=JSONB)


@functools.cache
def _histories_statement() -> TextualSelect:
    return text(f"""
        SELECT submission_id::text AS submission_id, claim_id::text AS claim_id, tenant_id, claim_version,
               frequency_code, payer_id, status, payer_claim_control_number, payer_responsibility, encounter
        FROM {SCHEMA}.submissions WHERE claim_id = ANY(CAST(:claim_ids AS uuid[]))
        ORDER BY claim_id, claim_version""").columns(encounter=JSONB)


@functools.cache
def _control_numbers_statement() -> TextClause:
    return text(f"SELECT nextval('{SCHEMA}.interchange_control_numbers') AS number "
                "FROM generate_series(1, :count)")


@functools.cache
def _add_claims_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.billing_claims (claim_id, tenant_id, patient_control_number, encounter,
                                             current_version, status)
        SELECT * FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[]), CAST(:pcns AS text[]),
                             CAST(:encounters AS jsonb[]), CAST(:versions AS int[]), CAST(:statuses AS text[]))
        ON CONFLICT (claim_id) DO NOTHING
        RETURNING claim_id::text AS claim_id""")


@functools.cache
def _change_claims_statement() -> TextClause:
    return text(f"""
        UPDATE {SCHEMA}.billing_claims b SET status = i.status, current_version = i.current_version,
               correction_pending = i.correction_pending, encounter = COALESCE(i.encounter, b.encounter),
               updated_at = now()
        FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:statuses AS text[]), CAST(:versions AS int[]),
                    CAST(:pending AS boolean[]), CAST(:encounters AS jsonb[]))
             AS i(claim_id, status, current_version, correction_pending, encounter)
        WHERE b.claim_id = i.claim_id""")


@functools.cache
def _set_claim_statuses_statement() -> TextClause:
    return text(f"""
        UPDATE {SCHEMA}.billing_claims b SET status = i.status,
               payer_claim_control_number = CASE WHEN i.sets_number THEN i.number
                                                 ELSE b.payer_claim_control_number END,
               updated_at = now()
        FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:statuses AS text[]), CAST(:sets_number AS boolean[]),
                    CAST(:numbers AS text[])) AS i(claim_id, status, sets_number, number)
        WHERE b.claim_id = i.claim_id""")


@functools.cache
def _add_submissions_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.submissions (submission_id, claim_id, tenant_id, claim_version, frequency_code,
                                          payer_id, status, interchange_control_number, x12, traceparent,
                                          encounter, payer_responsibility, trigger,
                                          corrects_payer_claim_control_number, prior_payer)
        SELECT i.submission_id, i.claim_id, i.tenant_id, i.claim_version, i.frequency_code, i.payer_id, 'pending',
               i.control_number, i.x12, i.traceparent, i.encounter, i.responsibility, i.trigger, i.corrects,
               i.prior_payer
        FROM unnest(CAST(:submission_ids AS uuid[]), CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[]),
                    CAST(:versions AS int[]), CAST(:frequencies AS text[]), CAST(:payer_ids AS text[]),
                    CAST(:control_numbers AS bigint[]), CAST(:x12s AS text[]), CAST(:traceparents AS text[]),
                    CAST(:encounters AS jsonb[]), CAST(:responsibilities AS text[]), CAST(:triggers AS text[]),
                    CAST(:corrects AS text[]), CAST(:prior_payers AS jsonb[]))
             AS i(submission_id, claim_id, tenant_id, claim_version, frequency_code, payer_id, control_number,
                  x12, traceparent, encounter, responsibility, trigger, corrects, prior_payer)""")


@functools.cache
def _adjudications_statement() -> TextClause:
    # The latest version sent to that payer takes the outcome; its CLP07 becomes the payer claim control
    # number (and the version counts as accepted) when no 277CA gave one.
    return text(f"""
        UPDATE {SCHEMA}.submissions s SET adjudication = i.claim_status,
               payer_claim_control_number = CASE WHEN s.payer_claim_control_number IS NULL AND i.number <> ''
                                                 THEN i.number ELSE s.payer_claim_control_number END,
               status = CASE WHEN s.payer_claim_control_number IS NULL AND i.number <> ''
                             THEN 'accepted' ELSE s.status END
        FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:payer_ids AS text[]), CAST(:statuses AS text[]),
                    CAST(:numbers AS text[])) AS i(claim_id, payer_id, claim_status, number)
        WHERE s.claim_id = i.claim_id AND s.claim_version = (
            SELECT max(x.claim_version) FROM {SCHEMA}.submissions x
            WHERE x.claim_id = i.claim_id AND x.payer_id = i.payer_id AND x.status IN ('sent', 'accepted'))""")


@functools.cache
def _submission_states_statement() -> TextClause:
    return text(f"""
        UPDATE {SCHEMA}.submissions s SET status = i.status, send_attempts = i.send_attempts, sent_at = i.sent_at,
               last_error = i.last_error, ack_999 = i.ack_999, ack_277ca = i.ack_277ca,
               payer_claim_control_number = i.number
        FROM unnest(CAST(:submission_ids AS uuid[]), CAST(:statuses AS text[]), CAST(:attempts AS int[]),
                    CAST(:sent_at AS timestamptz[]), CAST(:errors AS text[]), CAST(:acks_999 AS text[]),
                    CAST(:acks_277ca AS jsonb[]), CAST(:numbers AS text[]))
             AS i(submission_id, status, send_attempts, sent_at, last_error, ack_999, ack_277ca, number)
        WHERE s.submission_id = i.submission_id""")


@functools.cache
def _encounters_statement() -> TextualSelect:
    return text(f"SELECT claim_id::text AS claim_id, encounter FROM {SCHEMA}.billing_claims "
                "WHERE claim_id = ANY(CAST(:claim_ids AS uuid[]))").columns(encounter=JSONB)


class ClaimVersionSetStore:
    """Billing claims and their submissions, read and written a set at a time."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_billing_claims(self, claim_ids: Collection[str], *,
                                  only_pending_correction: bool = False) -> dict[str, Row]:
        """The billing claims among claim_ids, locked (one new version at a time per claim); with
        only_pending_correction, only those holding a re-coding back."""
        if not claim_ids:
            return {}
        rows = await self.session.execute(_lock_claims_statement(only_pending_correction),
                                          {"claim_ids": sorted(set(claim_ids))})
        return {row.claim_id: dict(row._mapping) for row in rows}

    async def histories(self, claim_ids: Collection[str]) -> dict[str, list[Row]]:
        """Every submission of each claim, oldest version first (an empty list for a claim with none)."""
        history: dict[str, list[Row]] = {claim_id: [] for claim_id in claim_ids}
        if claim_ids:
            for row in await self.session.execute(_histories_statement(), {"claim_ids": list(history)}):
                history[row.claim_id].append(dict(row._mapping))
        return history

    async def control_numbers(self, count: int) -> list[int]:
        """count fresh interchange control numbers (ISA13/GS06/ST02) in one round trip."""
        if count <= 0:
            return []
        return [row.number for row in await self.session.execute(_control_numbers_statement(), {"count": count})]

    async def add_billing_claims(self, claims: Sequence[NewBillingClaim]) -> set[str]:
        """Keep the claims not known yet; returns the ids added (another transaction may have won the rest)."""
        if not claims:
            return set()
        rows = await self.session.execute(_add_claims_statement(), {
            "claim_ids": [c.claim_id for c in claims], "tenant_ids": [c.tenant_id for c in claims],
            "pcns": [c.patient_control_number for c in claims], "encounters": [_json(c.encounter) for c in claims],
            "versions": [c.current_version for c in claims], "statuses": [c.status for c in claims]})
        return {row.claim_id for row in rows}

    async def change_billing_claims(self, changes: Sequence[BillingClaimChange]) -> None:
        """Write each claim's new state (one change per claim)."""
        if not changes:
            return
        changes = sorted(changes, key=lambda c: c.claim_id)  # rows are taken in claim id order, like every lock here
        await self.session.execute(_change_claims_statement(), {
            "claim_ids": [c.claim_id for c in changes], "statuses": [c.status for c in changes],
            "versions": [c.current_version for c in changes], "pending": [c.correction_pending for c in changes],
            "encounters": [_json(c.encounter) for c in changes]})

    async def set_claim_statuses(self, statuses: Sequence[tuple[str, str, bool, str | None]]) -> None:
        """(claim id, status, whether it sets the payer claim control number, that number) per claim."""
        if not statuses:
            return
        statuses = sorted(statuses, key=lambda s: s[0])  # in claim id order, like every lock here
        await self.session.execute(_set_claim_statuses_statement(), {
            "claim_ids": [s[0] for s in statuses], "statuses": [s[1] for s in statuses],
            "sets_number": [s[2] for s in statuses], "numbers": [s[3] for s in statuses]})

    async def add_submissions(self, versions: Sequence[NewSubmission]) -> None:
        """Queue the versions as pending submissions."""
        if not versions:
            return
        await self.session.execute(_add_submissions_statement(), {
            "submission_ids": [v.submission_id for v in versions], "claim_ids": [v.claim_id for v in versions],
            "tenant_ids": [v.tenant_id for v in versions], "versions": [v.claim_version for v in versions],
            "frequencies": [v.frequency_code for v in versions], "payer_ids": [v.payer_id for v in versions],
            "control_numbers": [v.interchange_control_number for v in versions],
            "x12s": [v.x12 for v in versions], "traceparents": [v.traceparent for v in versions],
            "encounters": [_json(v.encounter) for v in versions],
            "responsibilities": [v.payer_responsibility for v in versions],
            "triggers": [v.trigger for v in versions],
            "corrects": [v.corrects_payer_claim_control_number for v in versions],
            "prior_payers": [_json(v.prior_payer) for v in versions]})

    async def write_submission_states(self, states: Sequence[SubmissionState]) -> None:
        """Write each submission's new state (one per submission)."""
        if not states:
            return
        states = sorted(states, key=lambda s: s.submission_id)  # in submission id order, like the locks that read them
        await self.session.execute(_submission_states_statement(), {
            "submission_ids": [s.submission_id for s in states], "statuses": [s.status for s in states],
            "attempts": [s.send_attempts for s in states], "sent_at": [s.sent_at for s in states],
            "errors": [s.last_error for s in states], "acks_999": [s.ack_999 for s in states],
            "acks_277ca": [_json(s.ack_277ca) for s in states],
            "numbers": [s.payer_claim_control_number for s in states]})

    async def billed_encounters(self, claim_ids: Collection[str]) -> dict[str, dict[str, Any]]:
        """The claims' latest coded encounters (for versions stored before they kept their own)."""
        if not claim_ids:
            return {}
        rows = await self.session.execute(_encounters_statement(), {"claim_ids": list(claim_ids)})
        return {row.claim_id: row.encounter for row in rows}

    async def note_adjudications(self, adjudications: Sequence[Adjudication]) -> None:
        """Each 835 posting's outcome on the latest version sent to its payer (one posting per claim)."""
        if not adjudications:
            return
        await self.session.execute(_adjudications_statement(), {
            "claim_ids": [a.claim_id for a in adjudications], "payer_ids": [a.payer_id for a in adjudications],
            "statuses": [a.claim_status for a in adjudications],
            "numbers": [a.payer_claim_control_number or "" for a in adjudications]})
