"""Payee identifiers for tests: an NPI and a tax id no other tenant holds, and a billing provider using them.

ERAs are routed by payee (N1*PE NPI, REF*TJ tax id): a tenant whose claims should be paid registers the
identifiers its encounters' billing provider carries, and the clearinghouse simulator writes them back.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.service_layer.payees import ensure_payee_identifiers
from services.remittance.adapters.payee_store import PayeeProjection
from shared.db import unit_of_work
from tests.support.encounters import example_encounter

_revisions = itertools.count(int(time.time()))  # rises across calls and test sessions (an int, like intake's)

# The dev tenant (make up) is paid under the example encounter's billing provider.
DEV_NPI, DEV_TIN = "1234567893", "371234567"


def npi_check_digit(first_nine: str) -> str:
    """Luhn over 80840 and the first nine digits (the NPI standard)."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def new_npi() -> str:
    """A valid NPI, random enough that no other test's tenant holds it."""
    first_nine = "1" + "".join(random.choices("0123456789", k=8))
    return first_nine + npi_check_digit(first_nine)


def new_tin() -> str:
    """A nine-digit employer identification number (EINs do not start with 00, 07, 08, 09, 17, 18, 19, 28...)."""
    return "9" + "".join(random.choices("0123456789", k=8))


def billing_provider(npi: str, tin: str) -> dict[str, Any]:
    """The example encounter's billing provider paid under npi and tin."""
    return example_encounter()["billing_provider"] | {"npi": npi, "tax_id": tin}


async def project_payees(sessions: async_sessionmaker[AsyncSession], tenant_id: str, npi: str, tin: str) -> None:
    """What remittance's tenant-payees consumer stores from tenant.payee_identifiers_set, for tests of remittance's
    use cases on a database of their own (the revision only rises, so a later call replaces the set)."""
    async with unit_of_work(sessions) as session:
        await PayeeProjection(session).replace(tenant_id, next(_revisions), [("npi", npi), ("tin", tin)])


async def register_new_payee(database_url: str, tenant_id: str) -> tuple[str, dict[str, Any]]:
    """Register a fresh NPI and tax id for tenant_id at intake (announced on the tenants topic once intake's
    relay runs): (the NPI, a billing provider paid under them, for the tenant's encounters)."""
    npi, tin = new_npi(), new_tin()
    await ensure_payee_identifiers(database_url, tenant_id, [npi], [tin])
    return npi, billing_provider(npi, tin)


async def remittance_routes(database_url: str, npi: str, tenant_id: str, timeout: float = 60) -> None:
    """Wait until remittance's projection (in this database) routes 835s naming npi to tenant_id."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        deadline = time.monotonic() + timeout
        while await connection.fetchval("SELECT tenant_id FROM remittance.payee_identifiers "
                                        "WHERE kind = 'npi' AND identifier = $1", npi) != tenant_id:
            assert time.monotonic() < deadline, f"remittance did not learn NPI {npi} within {timeout:.0f}s"
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
