"""The webhook sender connects only where the rules allow, to the address it checked, within one time limit.

Real sockets on 127.0.0.1 and the system resolver for literal addresses and `localhost`; a resolver
stand-in for names that must resolve to a given address (a test machine's /etc/hosts is not ours).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpcore
import pytest

from services.intake.adapters.webhook_sender import CheckedAddressBackend, WebhookSender, system_resolver
from services.intake.domain.outbound_webhooks import AttemptResult, DueDelivery
from services.intake.domain.webhook_targets import TargetRules, WebhookTargetRefused

PRODUCTION, DEVELOPMENT = TargetRules(), TargetRules(development=True)


def delivery(url: str) -> DueDelivery:
    return DueDelivery(delivery_id="msg_0123456789abcdef0123456789abcdef", endpoint_id="ep_1", tenant_id="tenant-a",
                       claim_id="00000000-0000-4000-8000-000000000001", url=url, body='{"type":"claim.status_changed"}',
                       signing_secrets=("whsec_dGVzdA==",), queued_at=dt.datetime.now(dt.UTC), window_failures=0,
                       traceparent=None)


class Listener:
    """A TCP server on 127.0.0.1 that records each connection's request head and answers as told."""

    def __init__(self, answer: Callable[[asyncio.StreamWriter], Any] | None = None):
        self.heads: list[bytes] = []
        self.connections = 0
        self.answer = answer
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            self.heads.append(await reader.readuntil(b"\r\n\r\n"))
            if self.answer is None:
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
            else:
                await self.answer(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def listening(answer: Callable[[asyncio.StreamWriter], Any] | None = None) -> AsyncIterator[Listener]:
    listener = Listener(answer)
    server = await asyncio.start_server(listener.handle, "127.0.0.1", 0)
    listener.port = server.sockets[0].getsockname()[1]
    try:
        yield listener
    finally:
        server.close()
        await server.wait_closed()


def resolving(answers: dict[str, list[str]], calls: list[str] | None = None) -> Callable[..., Any]:
    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return answers[host]

    return resolve


async def send(url: str, rules: TargetRules, resolver: Callable[..., Any] = system_resolver,
               attempt_seconds: float = 5.0) -> AttemptResult:
    sender = WebhookSender.checked(rules, attempt_seconds, resolver=resolver)
    try:
        return await sender.send(delivery(url))
    finally:
        await sender.aclose()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0.0.0.0"])
async def test_loopback_receivers_are_refused_in_production_and_never_connected_to(host: str) -> None:
    async with listening() as listener:
        result = await send(f"https://{host}:{listener.port}/hook", PRODUCTION)
    assert result.status_code is None and result.error and result.error.startswith("WebhookTargetRefused")
    assert listener.connections == 0


@pytest.mark.parametrize(("host", "refusal"), [
    ("localhost", "loopback"), ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.1", "private"),
    ("192.168.0.1", "private"), ("100.64.0.1", "shared"), ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
])
async def test_the_backend_refuses_each_class_after_real_resolution(host: str, refusal: str) -> None:
    backend = CheckedAddressBackend(PRODUCTION)  # the system resolver
    with pytest.raises(WebhookTargetRefused, match=refusal):
        await backend.connect_tcp(host, 443, timeout=2)


@pytest.mark.parametrize(("answers", "refusal"), [
    (["10.0.0.7"], "private"), (["172.20.1.1"], "private"), (["100.100.100.200"], "metadata"),
    (["169.254.169.254"], "metadata"), (["127.0.0.53"], "loopback"), (["fc00::5"], "private"),
    (["93.184.215.14", "10.0.0.7"], "private"),  # one private answer among public ones is enough
    ([], "no address"),
])
async def test_a_name_that_resolves_to_a_refused_address_is_refused(answers: list[str], refusal: str) -> None:
    result = await send("https://pms.example.test/hook", PRODUCTION, resolving({"pms.example.test": answers}))
    assert result.error and result.error.startswith("WebhookTargetRefused") and refusal in result.error


async def test_http_is_refused_outside_development_before_any_lookup() -> None:
    calls: list[str] = []
    result = await send("http://pms.example.test/hook", PRODUCTION, resolving({"pms.example.test": ["8.8.8.8"]}, calls))
    assert result.error and "https" in result.error and calls == []


async def test_development_sends_to_a_local_receiver_by_name_connecting_to_the_address_it_checked() -> None:
    calls: list[str] = []
    async with listening() as listener:
        result = await send(f"http://receiver.test:{listener.port}/hook", DEVELOPMENT,
                            resolving({"receiver.test": ["127.0.0.1"]}, calls))
    assert result.status_code == 204, result
    assert calls == ["receiver.test"]  # one lookup, by the sender
    assert f"host: receiver.test:{listener.port}".encode() in listener.heads[0].lower()  # Host is still the name


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records where connections were asked to go, goes nowhere."""

    def __init__(self, stream: httpcore.AsyncNetworkStream | None = None):
        self.hosts: list[str] = []
        self.stream = stream

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        if self.stream is None:
            raise httpcore.ConnectError("recorded, not connected")
        return self.stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_a_rebinding_name_is_looked_up_once_and_connected_to_at_the_checked_address() -> None:
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])  # public to the check, loopback to a second lookup

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    inner = RecordingBackend()
    backend = CheckedAddressBackend(PRODUCTION, rebinding, inner)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("rebind.example.test", 443)
    assert inner.hosts == ["93.184.215.14"]  # the address itself, never the name to look up again
    assert next(answers) == ["127.0.0.1"]  # the second answer was never asked for


class TlsRecordingStream(httpcore.AsyncNetworkStream):
    def __init__(self) -> None:
        self.server_hostnames: list[str | None] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        self.server_hostnames.append(server_hostname)
        raise httpcore.ConnectError("recorded, no handshake")


async def test_tls_names_and_verifies_the_host_of_the_url_not_the_address() -> None:
    stream = TlsRecordingStream()
    inner = RecordingBackend(stream)
    sender = WebhookSender.checked(PRODUCTION, 5.0, resolver=resolving({"pms.example.test": ["93.184.215.14"]}),
                                   network=inner)
    try:
        result = await sender.send(delivery("https://pms.example.test/hook"))
    finally:
        await sender.aclose()
    assert result.error == "ConnectError"
    assert inner.hosts == ["93.184.215.14"] and stream.server_hostnames == ["pms.example.test"]


async def test_an_attempt_has_one_time_limit_for_lookup_connect_send_and_read() -> None:
    async def drip(writer: asyncio.StreamWriter) -> None:
        # a status line one byte every 0.2 s: no single read ever waits long enough to time out
        for byte in b"HTTP/1.1 200 OK\r\n" * 4:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)

    async with listening(drip) as listener:
        started = time.perf_counter()
        result = await send(f"http://127.0.0.1:{listener.port}/hook", DEVELOPMENT, attempt_seconds=1.0)
        elapsed = time.perf_counter() - started
    assert result.status_code is None and result.error == "TimeoutError"
    assert elapsed < 4, f"the attempt took {elapsed:.1f} s"


async def test_proxies_from_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with listening() as listener:
        result = await send(f"http://127.0.0.1:{listener.port}/hook", DEVELOPMENT)
    assert result.status_code == 204, result
