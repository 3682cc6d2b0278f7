"""The HTTP clearinghouse adapter: POST an 837 interchange with an idempotency key."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class ClearinghouseUnavailable(Exception):
    """Could not reach the clearinghouse, or it failed (5xx, 408, 429): try again later."""


class ClearinghouseRefused(Exception):
    """The clearinghouse refused the interchange (4xx): sending it again will not help."""


@dataclass(frozen=True)
class SubmissionReceipt:
    interchange_control_number: str
    claims: int


class HttpClearinghouse:
    """Sends interchanges to `POST {base}/v1/interchanges`; the key makes a resend after a crash safe."""

    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def submit(self, x12: str, idempotency_key: str) -> SubmissionReceipt:
        try:
            response = await self.client.post("/v1/interchanges", content=x12.encode(), headers={
                "Content-Type": "application/edi-x12", "Idempotency-Key": idempotency_key})
        except httpx.HTTPError as error:
            raise ClearinghouseUnavailable(type(error).__name__) from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise ClearinghouseUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            detail = response.json().get("detail", "") if "json" in response.headers.get("content-type", "") else ""
            raise ClearinghouseRefused(f"HTTP {response.status_code}: {detail}"[:500])
        body = response.json()
        return SubmissionReceipt(str(body.get("interchange_control_number", "")), int(body.get("claims", 0)))

    async def close(self) -> None:
        await self.client.aclose()
