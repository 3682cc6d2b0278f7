"""An 835 and its claim's claim.submitted take the same per-claim lock, so whichever commits second sees
the first (the race the fault suite found: both ran at once and the payment stayed unmatched)."""

from __future__ import annotations

import asyncio

from services.remittance.adapters.repository import RemittanceStore
from shared.db import create_engine, session_factory
from tests.support.environment import IsolatedEnvironment


async def test_the_second_transaction_on_a_claim_waits_for_the_first(isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    try:
        async with sessions() as first, first.begin():
            await RemittanceStore(first).lock_claim_numbers({"PCN-A", "PCN-B"})

            async def second_posting() -> None:
                async with sessions() as second, second.begin():
                    await RemittanceStore(second).lock_claim_numbers({"PCN-B"})

            async def other_claim() -> None:
                async with sessions() as third, third.begin():
                    await RemittanceStore(third).lock_claim_numbers({"PCN-C"})

            waiting = asyncio.create_task(second_posting())
            await asyncio.wait_for(other_claim(), timeout=10)  # another claim is never held up
            await asyncio.sleep(0.5)
            assert not waiting.done(), "the same claim waits for the first transaction"
        await asyncio.wait_for(waiting, timeout=10)  # and goes on once it committed
    finally:
        await engine.dispose()
