"""An isolated database and topic namespace per test session, on the stack's real Kafka and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.environment import IsolatedEnvironment, create_isolated_environment

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def isolated(stack: dict[str, str]) -> IsolatedEnvironment:
    return await create_isolated_environment(stack["DATABASE_URL"], stack["KAFKA_BOOTSTRAP"],
                                             stack["WEBHOOK_SECRET"], "spine")
