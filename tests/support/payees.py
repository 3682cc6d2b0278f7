"""Payee identifiers for tests: an NPI and a tax id no other tenant holds, and a billing provider using them.

ERAs are routed by payee (N1*PE NPI, REF*TJ tax id): a tenant whose claims should be paid registers the
identifiers its encounters' billing provider carries, and the clearinghouse simulator writes them back.
"""

from __future__ import annotations

import itertools
import random
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
