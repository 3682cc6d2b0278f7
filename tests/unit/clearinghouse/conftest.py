"""Fixtures for the clearinghouse tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from .testkit import RunningSimulator, pyx12_errors, running_simulator


@pytest.fixture
def validate_x12(tmp_path: Path) -> Callable[[str], list[str]]:
    """pyx12's complaints about X12 text (empty when valid)."""
    return lambda text: pyx12_errors(text, tmp_path)


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    async with running_simulator() as simulator:
        yield simulator
