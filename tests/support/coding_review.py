"""Driving the coder review queue of a running stack from end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.polling import eventually


async def coding_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['CODING_URL']}/v1/claims/{claim_id}/coding")
    assert response.status_code == 200, response.text
    return response.json()


async def coding_reaching(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str, status: str,
                          coding_round: int = 1) -> dict[str, Any]:
    """The claim's coding once it has the status in the given round."""

    async def probe() -> dict[str, Any]:
        response = await api.get(f"{stack['CODING_URL']}/v1/claims/{claim_id}/coding")
        return response.json() if response.status_code == 200 else {}

    return await eventually(probe, lambda c: c.get("status") == status and c.get("coding_round") == coding_round,
                            f"claim {claim_id} coding to be {status} in round {coding_round}")


def reviews_url(stack: dict[str, str], *parts: str) -> str:
    return "/".join([f"{stack['CODING_URL']}/v1/coding/reviews", *parts])


async def decide(api: httpx.AsyncClient, stack: dict[str, str], review_id: str, **decision: Any) -> httpx.Response:
    return await api.post(reviews_url(stack, review_id, "decisions"), json=decision)


async def timeline_types(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str,
                         expected: set[str]) -> list[dict[str, Any]]:
    """The claim's timeline once it holds every expected event type."""

    async def events() -> list[dict[str, Any]]:
        return (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]

    return await eventually(events, lambda found: {e["type"] for e in found} >= expected,
                            f"claim {claim_id} timeline to hold {sorted(expected)}")


async def timeline_counting(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str,
                            counts: dict[str, int]) -> list[dict[str, Any]]:
    """The claim's timeline once it holds exactly these numbers of these event types."""

    async def events() -> list[dict[str, Any]]:
        return (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]

    def complete(found: list[dict[str, Any]]) -> bool:
        types = [e["type"] for e in found]
        return all(types.count(kind) == count for kind, count in counts.items())

    return await eventually(events, complete, f"claim {claim_id} timeline to hold {counts}")
