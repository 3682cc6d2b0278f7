"""The shared webhook receiver answers absurd timestamps with 401 and depth bombs with 400, never 500."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from shared.http.problems import install_problem_handlers
from shared.http.webhook_receiver import VerifiedWebhook, verified_webhook
from shared.webhooks import VerificationFailure, WebhookVerificationError, verify, webhook_headers

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ABSURD_TIMESTAMPS = ["9" * 5000, "9" * 40, "1" + "0" * 19, "-1700000000", "1.7e9", "0x65f0", "NaN", "inf",
                     "１７００００００００", " 17 ", "0", "17000000000000000000000000"]


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.runtime = SimpleNamespace(settings=SimpleNamespace(webhook_secret=SECRET))

    @app.post("/v1/webhooks/clearinghouse")
    async def receive(webhook: Annotated[VerifiedWebhook, Depends(verified_webhook)]) -> dict[str, str]:
        return {"type": webhook.type}

    return app


async def _post(body: bytes, headers: dict[str, str | bytes]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(), raise_app_exceptions=False),
                                 base_url="http://receiver") as client:
        return await client.post("/v1/webhooks/clearinghouse", content=body,
                                 headers={"content-type": "application/json", **headers})


@pytest.mark.parametrize("timestamp", ABSURD_TIMESTAMPS)
def test_an_absurd_timestamp_is_a_verification_failure_not_a_crash(timestamp: str) -> None:
    body = b'{"type": "x12.835", "data": {}}'
    headers = webhook_headers(SECRET, body) | {"webhook-timestamp": timestamp}
    with pytest.raises(WebhookVerificationError) as failed:
        verify(SECRET, headers, body)
    assert failed.value.reason in (VerificationFailure.BAD_TIMESTAMP, VerificationFailure.OUTSIDE_TOLERANCE)


@pytest.mark.parametrize("timestamp", ABSURD_TIMESTAMPS)
async def test_the_receiver_answers_an_absurd_timestamp_with_401(timestamp: str) -> None:
    body = b'{"type": "x12.835", "data": {}}'
    # sent as UTF-8 bytes: a client may put anything on the wire
    response = await _post(body, webhook_headers(SECRET, body) | {"webhook-timestamp": timestamp.encode()})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_correct_signature_with_a_current_timestamp_is_still_accepted() -> None:
    body = b'{"type": "x12.835", "data": {}}'
    response = await _post(body, webhook_headers(SECRET, body, now=time.time()))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"type": "x12.835", "data": ' + b'{"a": ' * 50_000 + b"1"
                                  + b"}" * 50_001, json.dumps({"type": "x", "data": {"x": [[[[[[]]]]]] * 3}})
                                  .replace("[]", "[" * 5000 + "]" * 5000).encode()])
async def test_a_signed_depth_bomb_is_a_400_problem(body: bytes) -> None:
    response = await _post(body, webhook_headers(SECRET, body))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
