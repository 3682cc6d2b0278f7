"""Webhook delivery: signing, retries with backoff, what is not retried, trace context, background jobs."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable

import httpx
import pytest

from shared.webhooks import verify
from tools.clearinghouse.webhook_delivery import (
    BackgroundJobs,
    RetryPolicy,
    WebhookMessage,
    WebhookSender,
    trace_headers,
    webhook_message,
)

from .testkit import SECRET, TRACEPARENT

NOW = dt.datetime(2026, 1, 20, 10, 30, tzinfo=dt.UTC)


class FakeClock:
    """Monotonic time that only moves when the sender sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def sender_for(
    answers: Callable[[httpx.Request], httpx.Response], clock: FakeClock
) -> tuple[WebhookSender, list]:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return answers(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    sender = WebhookSender(client, SECRET, RetryPolicy(), sleep=clock.sleep, monotonic=clock.monotonic)
    return sender, requests


def message(trace: dict[str, str] | None = None) -> WebhookMessage:
    data = {"x12": "ISA*...~", "interchange_control_number": "000000001"}
    return webhook_message("http://receiver.test/hooks", "x12.999", data, trace or {}, NOW)


def scripted(*statuses: int | Exception) -> Callable[[httpx.Request], httpx.Response]:
    remaining = list(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        outcome = remaining.pop(0) if remaining else 204
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome)

    return answer


def test_message_body_has_type_timestamp_and_data() -> None:
    payload = json.loads(message().body)
    assert payload == {
        "type": "x12.999",
        "timestamp": "2026-01-20T10:30:00+00:00",
        "data": {"x12": "ISA*...~", "interchange_control_number": "000000001"},
    }


async def test_delivered_message_is_signed_and_typed() -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(200), clock)
    sent = message()
    assert await sender.deliver(sent)
    [request] = requests
    verify(SECRET, request.headers, request.content)
    assert request.headers["webhook-id"] == sent.webhook_id
    assert request.headers["content-type"] == "application/json"
    assert sender.deliveries[sent.webhook_id].as_json()["status"] == "delivered"


async def test_retries_keep_the_message_id_and_back_off_doubling() -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(503, 500, httpx.ConnectError("refused"), 302, 200), clock)
    assert await sender.deliver(message())
    assert len(requests) == 5
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert clock.sleeps == pytest.approx([0.2, 0.4, 0.8, 1.6])
    for request in requests:
        verify(SECRET, request.headers, request.content)


async def test_backoff_is_capped_and_gives_up_after_the_window() -> None:
    clock = FakeClock()
    sender, requests = sender_for(lambda request: httpx.Response(503), clock)
    sent = message()
    assert not await sender.deliver(sent)
    assert max(clock.sleeps) == 5.0
    assert clock.sleeps[:6] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0])
    assert 595 <= sum(clock.sleeps) <= 600
    record = sender.deliveries[sent.webhook_id]
    assert (record.status, record.attempts, record.last_error) == ("failed", len(requests), "HTTP 503")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
async def test_client_errors_are_not_retried(status: int) -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(status), clock)
    assert not await sender.deliver(message())
    assert len(requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize("status", [408, 429])
async def test_timeout_and_too_many_requests_are_retried(status: int) -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(status, 200), clock)
    assert await sender.deliver(message())
    assert len(requests) == 2


async def test_retry_after_is_honoured() -> None:
    clock = FakeClock()

    def busy_once(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "3"}) if not clock.sleeps else httpx.Response(200)

    sender, _ = sender_for(busy_once, clock)
    assert await sender.deliver(message())
    assert clock.sleeps == [3.0]


async def test_trace_context_travels_with_the_webhook() -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(200), clock)
    await sender.deliver(message(trace_headers({"traceparent": TRACEPARENT, "tracestate": "vendor=1"})))
    assert requests[0].headers["traceparent"] == TRACEPARENT
    assert requests[0].headers["tracestate"] == "vendor=1"


async def test_no_trace_header_when_the_request_had_none() -> None:
    clock = FakeClock()
    sender, requests = sender_for(scripted(200), clock)
    await sender.deliver(message())
    assert "traceparent" not in requests[0].headers


@pytest.mark.parametrize(
    "value", ["", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-xyz-abc-01"]
)
def test_malformed_traceparent_is_not_passed_on(value: str) -> None:
    assert trace_headers({"traceparent": value}) == {}


async def test_background_jobs_drain_and_survive_a_failing_job() -> None:
    jobs = BackgroundJobs()
    done: list[str] = []

    async def work(name: str) -> None:
        await asyncio.sleep(0.01)
        done.append(name)

    async def fail() -> None:
        raise RuntimeError("boom")

    jobs.start(work("a"), "a")
    jobs.start(fail(), "failing")
    jobs.start(work("b"), "b")
    await jobs.drain()
    assert sorted(done) == ["a", "b"] and jobs.pending == 0


async def test_background_jobs_close_cancels_what_runs() -> None:
    jobs = BackgroundJobs()
    jobs.start(asyncio.sleep(60), "sleeper")
    await jobs.close()
    assert jobs.pending == 0
