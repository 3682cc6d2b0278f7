"""The HTTP clearinghouse adapter: POST an 837 interchange with an Idempotency-Key (the simulator's API)."""

from __future__ import annotations

import httpx

from services.submission.adapters.clearinghouse.interface import (
    ClearinghouseRefused,
    ClearinghouseUnavailable,
    InboundAcknowledgement,
    OutboundBatch,
    SubmissionReceipt,
)


class HttpClearinghouse:
    """Sends interchanges to `POST {base}/v1/interchanges`; acks come back by webhook.

    The batch's idempotency key goes with every attempt: a resend after a crash gets the first
    response back (Idempotent-Replayed) instead of a second copy of the claims.
    """

    picks_up_acknowledgements = False

    def __init__(self, base_url: str, name: str = "simulator", timeout_seconds: float = 10.0):
        self.name = name
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def submit(self, batch: OutboundBatch) -> SubmissionReceipt:
        try:
            response = await self.client.post("/v1/interchanges", content=batch.x12.encode(), headers={
                "Content-Type": "application/edi-x12", "Idempotency-Key": batch.idempotency_key})
        except httpx.HTTPError as error:
            raise ClearinghouseUnavailable(type(error).__name__) from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise ClearinghouseUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            detail = response.json().get("detail", "") if "json" in response.headers.get("content-type", "") else ""
            raise ClearinghouseRefused(f"HTTP {response.status_code}: {detail}"[:500])
        body = response.json()
        return SubmissionReceipt(str(body.get("interchange_control_number", "")),
                                 replayed=response.headers.get("idempotent-replayed") == "true")

    async def pending_acknowledgements(self) -> list[InboundAcknowledgement]:
        return []

    async def archive(self, acknowledgement: InboundAcknowledgement) -> None:
        return None

    async def close(self) -> None:
        await self.client.aclose()
