"""The clearinghouse's real-time claim status service: POST a 276, get the 277 back in the response."""

from __future__ import annotations

import httpx


class ClaimStatusUnavailable(Exception):
    """No 277 came back (unreachable, 5xx, refused); the message names the status, never the content."""


class HttpClaimStatus:
    """Sends a 276 to `POST {base}/v1/claim-status` and returns the 277 text it answers with."""

    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def inquire(self, x12_276: str) -> str:
        """The 277 answering this 276."""
        try:
            response = await self.client.post("/v1/claim-status", content=x12_276.encode(),
                                              headers={"Content-Type": "application/edi-x12"})
        except httpx.HTTPError as error:
            raise ClaimStatusUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise ClaimStatusUnavailable(f"HTTP {response.status_code}")
        return response.text

    async def close(self) -> None:
        await self.client.aclose()
