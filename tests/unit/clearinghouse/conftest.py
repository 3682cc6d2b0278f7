"""Fixtures for the clearinghouse tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from tools.clearinghouse.app import create_app

from .testkit import RunningSimulator, WebhookReceiver, pyx12_errors, simulator_settings


@pytest.fixture
def validate_x12(tmp_path: Path) -> Callable[[str], list[str]]:
    """pyx12's complaints about X12 text (empty when valid)."""
    return lambda text: pyx12_errors(text, tmp_path)


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    """The app in-process; its webhooks go to an in-process receiver."""
    receiver = WebhookReceiver()
    app = create_app(simulator_settings(), webhook_transport=httpx.ASGITransport(app=receiver))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clearinghouse.test") as client:
            yield RunningSimulator(client, receiver, app)
