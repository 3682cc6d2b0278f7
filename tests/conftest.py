"""Fixtures for tests that talk to the stack `make test` started (see deploy/local/run_tests.sh)."""

from __future__ import annotations

import os

import pytest

STACK_VARIABLES = ("INTAKE_URL", "CODING_URL", "SUBMISSION_URL", "REMITTANCE_URL", "DENIALS_URL",
                   "CLEARINGHOUSE_URL", "API_KEY", "WEBHOOK_SECRET", "KAFKA_BOOTSTRAP", "DATABASE_URL",
                   "CONSOLE_URL", "ADMIN_TOKEN", "RUN_DIR")


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    """The running stack's addresses and secrets (from stack.env)."""
    missing = [name for name in STACK_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.fail(f"the stack is not running (missing {', '.join(missing)}): run `make test`")
    return {name: os.environ[name] for name in STACK_VARIABLES}
