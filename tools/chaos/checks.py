"""The invariants a fault run must keep, read from the services' databases, the simulator and the DLQs.

Every check looks only at this run's claims (external ids CH-<run id>-...), so it can run on a
stack other tests share.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from shared.messaging.dead_letters import DeadLetterTopics
from shared.messaging.topics import dead_letter_topic
from tools.chaos.poison import Poison

END_STATES = {"SIMPAY": {"paid", "partially_paid"}, "SIMDNY": {"denied"}, "SIMREJ": {"rejected"},
              "SIMACK": {"accepted"}}
SCHEMAS = ("intake", "coding", "submission", "remittance", "denials")
# Events each service appends to a claim's stream on the happy path, per payer: exactly these, once each.
EXPECTED_EVENTS: dict[str, dict[str, dict[str, int]]] = {
    payer: {
        "intake": {"claim.received": 1},
        "coding": {"claim.coded": 1},
        "submission": {"claim.submitted": 1, ("claim.rejected" if payer == "SIMREJ" else "claim.accepted"): 1},
        "remittance": {"claim.remittance_posted": 1} if payer in ("SIMPAY", "SIMDNY") else {},
        "denials": {"claim.denial_recorded": 1} if payer == "SIMDNY" else {},
    } for payer in END_STATES
}


@dataclass
class CheckResult:
    """Counts checked and the violations found (each with a few examples)."""

    counts: dict[str, int] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def violate(self, kind: str, example: str) -> None:
        self.violations[kind].append(example)

    @property
    def ok(self) -> bool:
        return not any(self.violations.values())


def dsn(database_url: str) -> str:
    """asyncpg's form of the services' SQLAlchemy URL."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


async def terminal_progress(connection: asyncpg.Connection, run_id: str) -> Counter[str]:
    """This run's claims by 'terminal' or 'open' (cheap enough to poll)."""
    rows = await connection.fetch("SELECT payer_id, status, count(*) AS n FROM intake.claims "
                                  "WHERE external_id LIKE $1 GROUP BY payer_id, status", f"CH-{run_id}-%")
    progress: Counter[str] = Counter()
    for row in rows:
        progress["terminal" if row["status"] in END_STATES.get(row["payer_id"], ()) else "open"] += row["n"]
    return progress


async def check_run(database_url: str, clearinghouse_url: str, kafka_bootstrap: str, run_id: str,
                    accepted: dict[str, str], poisons: list[Poison]) -> CheckResult:
    """Run every check; accepted maps claim id -> payer as the client learned them."""
    result = CheckResult()
    connection = await asyncpg.connect(dsn(database_url))
    try:
        await _claims_and_end_states(connection, run_id, accepted, result)
        await _events_exactly_once_and_gap_free(connection, accepted, result)
        pcns = await _submitted_once(connection, clearinghouse_url, accepted, result)
        await _ledgers_balance(connection, accepted, result)
    finally:
        await connection.close()
    result.counts["claim versions sent to the clearinghouse"] = pcns
    await _poisons_dead_lettered(kafka_bootstrap, poisons, result)
    return result


async def _claims_and_end_states(connection: asyncpg.Connection, run_id: str, accepted: dict[str, str],
                                 result: CheckResult) -> None:
    rows = await connection.fetch("SELECT claim_id::text, payer_id, status FROM intake.claims "
                                  "WHERE external_id LIKE $1", f"CH-{run_id}-%")
    stored = {row["claim_id"]: row for row in rows}
    result.counts["claims accepted (client)"] = len(accepted)
    result.counts["claims stored (intake)"] = len(stored)
    for claim_id in set(stored) - set(accepted):
        result.violate("claims the client never heard of", claim_id)
    for claim_id in set(accepted) - set(stored):
        result.violate("accepted claims missing in intake", claim_id)
    states: Counter[str] = Counter()
    for claim_id, payer in accepted.items():
        row = stored.get(claim_id)
        if row is None:
            continue
        status = row["status"]
        if status in END_STATES[payer]:
            states[status] += 1
        else:
            result.violate("claims not in their payer's end state", f"{claim_id} {payer} {status}")
    for status in ("paid", "partially_paid", "denied", "rejected", "accepted"):
        result.counts[f"end state {status}"] = states[status]


async def _events_exactly_once_and_gap_free(connection: asyncpg.Connection, accepted: dict[str, str],
                                            result: CheckResult) -> None:
    ids = list(accepted)
    gaps = streams = 0
    for schema in SCHEMAS:
        rows = await connection.fetch(
            f"SELECT claim_id::text, array_agg(version ORDER BY version) AS versions, "  # noqa: S608 - fixed names
            f"array_agg(event_type) AS types FROM {schema}.claim_events WHERE claim_id = ANY($1::uuid[]) "
            "GROUP BY claim_id", ids)
        seen = {row["claim_id"]: row for row in rows}
        for claim_id, payer in accepted.items():
            row = seen.get(claim_id)
            versions = list(row["versions"]) if row else []
            types = Counter(row["types"]) if row else Counter()
            streams += bool(versions)
            if versions != list(range(1, len(versions) + 1)):
                gaps += 1
                result.violate("event streams with version gaps", f"{schema} {claim_id} {versions}")
            if types != Counter(EXPECTED_EVENTS[payer][schema]):
                result.violate("claims without exactly one outcome",
                               f"{schema} {claim_id} {payer} {dict(types)}")
    result.counts["event streams checked"] = streams
    result.counts["version gaps"] = gaps


async def _submitted_once(connection: asyncpg.Connection, clearinghouse_url: str, accepted: dict[str, str],
                          result: CheckResult) -> int:
    rows = await connection.fetch("SELECT claim_id::text, patient_control_number FROM submission.billing_claims "
                                  "WHERE claim_id = ANY($1::uuid[])", list(accepted))
    claim_of_pcn = {row["patient_control_number"]: row["claim_id"] for row in rows}
    async with httpx.AsyncClient(timeout=120) as client:
        response = await client.get(f"{clearinghouse_url}/v1/interchanges")
        response.raise_for_status()
    received: Counter[tuple[str, str, str]] = Counter()
    for interchange in response.json()["interchanges"]:
        for claim in interchange["claims"]:
            if claim["patient_control_number"] in claim_of_pcn:
                received[(claim["patient_control_number"], claim["frequency_code"],
                          claim["original_reference"] or "")] += 1
    duplicates = sum(count - 1 for count in received.values())
    for (pcn, frequency, _), count in received.items():
        if count > 1:
            result.violate("claim versions submitted twice", f"{claim_of_pcn[pcn]} frequency {frequency} x{count}")
    sent = {pcn for pcn, _, _ in received}
    for pcn, claim_id in claim_of_pcn.items():
        if pcn not in sent:
            result.violate("claims never submitted", claim_id)
    result.counts["duplicate submissions"] = duplicates
    return len(received)


async def _ledgers_balance(connection: asyncpg.Connection, accepted: dict[str, str], result: CheckResult) -> None:
    ids = list(accepted)
    billed = {row["claim_id"]: row["billed"] for row in await connection.fetch(
        "SELECT claim_id::text, billed FROM remittance.billed_claims WHERE claim_id = ANY($1::uuid[])", ids)}
    entries = await connection.fetch(
        "SELECT claim_id::text, era_id::text, kind, amount FROM remittance.ledger_entries "
        "WHERE claim_id = ANY($1::uuid[])", ids)
    by_claim: dict[str, Decimal] = defaultdict(Decimal)
    paid_by_era_claim: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        by_claim[entry["claim_id"]] += entry["amount"]
        if entry["kind"] == "payment":
            paid_by_era_claim[(entry["era_id"], entry["claim_id"])] += entry["amount"]
    unbalanced = 0
    for claim_id in by_claim:
        if claim_id not in billed or by_claim[claim_id] != billed[claim_id]:
            unbalanced += 1
            result.violate("unbalanced ledgers", f"{claim_id} billed {billed.get(claim_id)} "
                                                 f"entries {by_claim[claim_id]}")
    era_claims = await connection.fetch(
        "SELECT ec.era_id::text, ec.claim_id::text, ec.paid, ec.billed, ec.posted, e.total_paid, e.status "
        "FROM remittance.era_claims ec JOIN remittance.eras e USING (era_id) WHERE ec.claim_id = ANY($1::uuid[])",
        ids)
    posted: Counter[str] = Counter()
    era_paid: dict[str, tuple[Decimal, Decimal]] = {}
    for row in era_claims:
        posted[row["claim_id"]] += row["posted"]
        if paid_by_era_claim[(row["era_id"], row["claim_id"])] != row["paid"]:
            result.violate("ledger payments that differ from the ERA", f"{row['claim_id']} era {row['era_id']}")
        if row["status"] != "posted":
            result.violate("ERAs not fully posted", f"{row['era_id']} {row['status']}")
        total, so_far = era_paid.get(row["era_id"], (row["total_paid"], Decimal("0")))
        era_paid[row["era_id"]] = (total, so_far + row["paid"])
    for era_id, (total, claims_paid) in era_paid.items():
        if total != claims_paid:  # every claim of a posted ERA from this run's interchanges is ours
            result.violate("ERA totals that differ from their claims", f"{era_id} BPR {total} CLP {claims_paid}")
    for claim_id, payer in accepted.items():
        expected = 1 if payer in ("SIMPAY", "SIMDNY") else 0
        if posted[claim_id] != expected:
            result.violate("claims posted other than once", f"{claim_id} {payer} posted {posted[claim_id]}x")
    result.counts["ledgers checked"] = len(by_claim)
    result.counts["unbalanced ledgers"] = unbalanced
    result.counts["ERAs checked against the ledger"] = len(era_paid)


async def _poisons_dead_lettered(kafka_bootstrap: str, poisons: list[Poison], result: CheckResult) -> None:
    if not poisons:
        result.counts["poisons dead-lettered"] = 0
        return
    letters = await DeadLetterTopics(kafka_bootstrap).list(limit=1_000_000)
    found: dict[str, list[Any]] = defaultdict(list)
    for letter in letters:
        if letter.claim_id and letter.claim_id.startswith("poison-"):
            found[letter.claim_id].append(letter)
    dead_lettered = 0
    for poison in poisons:
        letters_of = [letter for letter in found.get(poison.key, ())
                      if letter.topic == dead_letter_topic(poison.topic) and letter.reason]
        if letters_of:
            dead_lettered += 1
        else:
            result.violate("poisons not in a DLQ with a reason", f"{poison.kind} on {poison.topic}")
    result.counts["poisons injected"] = len(poisons)
    result.counts["poisons dead-lettered"] = dead_lettered
    result.counts["dead letters of poisons (one per consumer group)"] = sum(
        len(found.get(p.key, ())) for p in poisons)
