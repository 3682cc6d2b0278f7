"""Sends one outbound webhook over HTTP, signed per Standard Webhooks with the endpoint's secret(s).

The tenant chose the URL, so the sender decides where the connection really goes: it resolves the
host itself, refuses it unless every address it resolves to is allowed (`webhook_targets`), and
connects to one of those checked addresses; TLS still verifies, and SNI and Host still name, the
host of the URL. No second lookup happens between the check and the connection, so a name that
answers a public address to the check and a private one to the connection (DNS rebinding) gets
nowhere. Proxies from the environment are ignored for the same reason. Each attempt has one time
limit for all of it: lookup, connect, TLS, sending the body and reading the status line.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from services.intake.domain.outbound_webhooks import AttemptResult, DueDelivery
from services.intake.domain.webhook_targets import TargetRules, WebhookTargetRefused, check_address, check_url
from shared.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, webhook_headers

USER_AGENT = "Claimline-Webhooks/1.0"
ERROR_MAX = 80  # webhook_delivery_attempts.error
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (A and AAAA), in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class CheckedAddressBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the lookup taken over: resolve once, check every address, connect to one."""

    def __init__(self, rules: TargetRules, resolver: Resolver = system_resolver,
                 inner: httpcore.AsyncNetworkBackend | None = None):
        self.rules, self.resolver = rules, resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolver(host, port)
        if not addresses:
            raise WebhookTargetRefused("the endpoint's host resolves to no address")
        for address in addresses:  # all of them: a name that mixes public and private answers is refused
            check_address(address, self.rules)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise WebhookTargetRefused("webhooks are never sent to a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedAddressTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose connections go through CheckedAddressBackend."""

    def __init__(self, backend: CheckedAddressBackend, limits: httpx.Limits):
        super().__init__(trust_env=False, limits=limits)
        # httpx has no way to hand its pool a network backend: the same pool it builds, with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=False, network_backend=backend)


def signed_headers(delivery: DueDelivery, body: bytes, now: float | None = None) -> dict[str, str]:
    """webhook-id (the delivery id), a fresh webhook-timestamp and one signature per live secret.

    During a secret rotation both the new and the old secret sign, so a receiver still holding
    the old one keeps verifying (the spec allows several space-separated signatures).
    """
    current, *previous = delivery.signing_secrets
    headers = webhook_headers(current, body, msg_id=delivery.delivery_id, now=now)
    timestamp = int(headers[TIMESTAMP_HEADER])
    for secret in previous:
        headers[SIGNATURE_HEADER] += " " + sign(secret, delivery.delivery_id, timestamp, body)
    return headers


class WebhookSender:
    """POSTs deliveries with one shared connection pool; never follows redirects, never reads the answer."""

    def __init__(self, client: httpx.AsyncClient, rules: TargetRules, attempt_seconds: float):
        self.client, self.rules, self.attempt_seconds = client, rules, attempt_seconds

    @classmethod
    def checked(cls, rules: TargetRules, attempt_seconds: float, resolver: Resolver = system_resolver,
                max_connections: int = 100, network: httpcore.AsyncNetworkBackend | None = None) -> WebhookSender:
        """A sender with its own client that connects only to addresses `rules` allow (close it with aclose).

        `resolver` and `network` (the sockets under the checks) are the system's unless a test stands them in."""
        transport = CheckedAddressTransport(CheckedAddressBackend(rules, resolver, network),
                                            httpx.Limits(max_connections=max_connections))
        client = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(attempt_seconds),
                                   follow_redirects=False, trust_env=False, headers={"user-agent": USER_AGENT})
        return cls(client, rules, attempt_seconds)

    async def send(self, delivery: DueDelivery) -> AttemptResult:
        """One attempt: the status code answered, or the error class (never its message: it may echo the URL)."""
        body = delivery.body.encode()
        headers = {"content-type": "application/json", **signed_headers(delivery, body)}
        started = time.perf_counter()
        try:
            check_url(delivery.url, self.rules)
            async with asyncio.timeout(self.attempt_seconds):
                # streamed and closed unread: the receiver's answer body is of no use and of unbounded size
                async with self.client.stream("POST", delivery.url, content=body, headers=headers) as response:
                    status_code = response.status_code
        except WebhookTargetRefused as refused:  # names a class of address, never the URL or the address
            return AttemptResult(None, f"{type(refused).__name__}: {refused}"[:ERROR_MAX], _elapsed_ms(started))
        except Exception as error:  # noqa: BLE001 - any failure (even a URL httpx rejects) is this attempt's outcome
            return AttemptResult(None, type(error).__name__, _elapsed_ms(started))
        return AttemptResult(status_code, None, _elapsed_ms(started))

    async def aclose(self) -> None:
        await self.client.aclose()


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
