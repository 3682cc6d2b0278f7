"""Full lifecycle throughput and latency: encounters in at a target rate, claims out posted or accepted.

Half the encounters go to SIMPAY (837 -> 999 -> 277CA -> 835 posted), half to SIMACK (837 -> 999 ->
277CA accepted, no 835); every one is a visit of its own with a distinct note (notes.py). The generator
(load.py) is open-loop: it posts on schedule whatever the stack's answers, so a slow stack shows as
latency, not as a politely lowered rate. Completions and the
sustained rate come from intake's claim statuses and timeline timestamps (its database); the latency
percentiles come from each claim's timeline as GET /v1/claims/{id}/events returns it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time

import asyncpg
import httpx

from bench.lifecycle.load import Offered, offer
from bench.stack_access import percentile, plain_dsn

PAYERS = ("SIMPAY", "SIMACK")
TERMINAL = {"SIMPAY": {"paid", "partially_paid"}, "SIMACK": {"accepted"}}
DONE_EVENT = {"SIMPAY": "claim.remittance_posted", "SIMACK": "claim.accepted"}
# Statuses a claim of these payers does not leave on its own: counted as ended, reported by name.
STOPPED = {"denied", "rejected", "coding_review", "needs_correction", "scrub_failed"}


async def wait_until_ended(pool: asyncpg.Pool, claim_ids: list[str], drain_seconds: float) -> dict[str, int]:
    """Claim counts by status once every claim reached an end state, or when drain_seconds ran out."""
    deadline = time.monotonic() + drain_seconds
    while True:
        rows = await pool.fetch("SELECT payer_id, status, count(*) AS n FROM intake.claims "
                                "WHERE claim_id = ANY($1::uuid[]) GROUP BY payer_id, status", claim_ids)
        ended = sum(row["n"] for row in rows if row["status"] in TERMINAL.get(row["payer_id"], set()) | STOPPED)
        if ended >= len(claim_ids) or time.monotonic() > deadline:
            return {f"{row['payer_id']}:{row['status']}": row["n"] for row in rows}
        await asyncio.sleep(1.0)


async def sustained_rate(pool: asyncpg.Pool, offered: Offered) -> tuple[int, float | None]:
    """(claims completed, claims/s) from the first claim.received to the last completion."""
    row = await pool.fetchrow(
        "SELECT (SELECT min(occurred_at) FROM intake.claim_timeline WHERE claim_id = ANY($1::uuid[]) "
        "        AND event_type = 'claim.received') AS first_in, "
        "       max(t.occurred_at) AS last_done, count(DISTINCT t.claim_id) AS done "
        "FROM intake.claim_timeline t JOIN intake.claims c USING (claim_id) "
        "WHERE t.claim_id = ANY($1::uuid[]) AND ((c.payer_id = 'SIMPAY' AND t.event_type = $2) "
        "      OR (c.payer_id = 'SIMACK' AND t.event_type = $3))",
        list(offered.claims), DONE_EVENT["SIMPAY"], DONE_EVENT["SIMACK"])
    if not row["done"]:
        return 0, None
    span = (row["last_done"] - row["first_in"]).total_seconds()
    return row["done"], row["done"] / span if span > 0 else None


async def latencies(intake_url: str, api_key: str, offered: Offered, sample: int) -> dict[str, list[float]]:
    """Seconds from claim.received to claim.submitted and to claim.remittance_posted, per sampled claim."""
    chosen = random.Random(7).sample(sorted(offered.claims), min(sample, len(offered.claims)))
    found: dict[str, list[float]] = {"submitted": [], "posted": []}
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api_key}"}, timeout=60) as api:

        async def one(claim_id: str) -> None:
            async with gate:
                events = (await api.get(f"{intake_url}/v1/claims/{claim_id}/events")).json()["events"]
            times = {e["type"]: dt.datetime.fromisoformat(e["time"]) for e in events}
            received = times.get("claim.received")
            if received is None:
                return
            for name, event_type in (("submitted", "claim.submitted"), ("posted", "claim.remittance_posted")):
                if event_type in times:
                    found[name].append((times[event_type] - received).total_seconds())

        await asyncio.gather(*(one(claim_id) for claim_id in chosen))
    return found


async def run(env: dict[str, str], api_key: str, rate: float, seconds: float, drain_seconds: float,
              label: str, sample: int = 1000) -> dict:
    """One lifecycle run; every figure of the lifecycle rows of the table."""
    intake_urls = [env["INTAKE_URL"]] + [env[k] for k in sorted(env) if k.startswith("INTAKE_") and k[7:-4].isdigit()
                                         and k.endswith("_URL")]
    offered = await offer(intake_urls, api_key, rate, seconds, label)
    pool = await asyncpg.create_pool(plain_dsn(env["DATABASE_URL"]), min_size=1, max_size=2)
    try:
        claim_ids = list(offered.claims)
        by_status = await wait_until_ended(pool, claim_ids, drain_seconds) if claim_ids else {}
        done, rate_done = await sustained_rate(pool, offered) if claim_ids else (0, None)
    finally:
        await pool.close()
    measured = await latencies(env["INTAKE_URL"], api_key, offered, sample)
    return {
        "target_rate": rate, "seconds": seconds, "offered": int(rate * seconds), "accepted": len(offered.claims),
        "refused": offered.refused, "offered_rate": len(offered.claims) / offered.seconds if offered.seconds else None,
        "by_status": by_status, "completed": done, "claims_per_second": rate_done,
        "request_p50": percentile(offered.request_seconds, 0.5),
        "request_p99": percentile(offered.request_seconds, 0.99),
        "submitted_p50": percentile(measured["submitted"], 0.5),
        "submitted_p99": percentile(measured["submitted"], 0.99),
        "posted_p50": percentile(measured["posted"], 0.5), "posted_p99": percentile(measured["posted"], 0.99),
        "latency_sample": len(measured["submitted"]), "intake_instances": len(intake_urls),
    }
