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


async def resolve_as_coder(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> None:
    """A coder takes the claim's review item, accepts every code waiting for a decision and resolves,
    acknowledging the error edits."""
    coding = await coding_reaching(api, stack, claim_id, "coding_review")
    review_id = coding["review"]["review_id"]
    assert (await api.post(reviews_url(stack, review_id, "assignment"))).status_code == 200
    item = (await api.get(reviews_url(stack, review_id))).json()
    await accept_the_rest_and_resolve(api, stack, coding, item)


async def accept_the_rest_and_resolve(api: httpx.AsyncClient, stack: dict[str, str], coding: dict[str, Any],
                                      item: dict[str, Any]) -> dict[str, Any]:
    """Accept every code of the review item still waiting for a decision, then resolve it, acknowledging
    the claim's error edits; returns the resolved item."""
    review_id = item["review_id"]
    for diagnosis in item["diagnoses"]:
        if diagnosis["needs_decision"] and diagnosis["decision"] is None:
            answer = await decide(api, stack, review_id, action="accept", kind="diagnosis", code=diagnosis["code"],
                                  reason="coder reviewed against the documentation")
            assert answer.status_code == 200, answer.text
    for line in item["procedures"]:
        if line["needs_decision"] and line["decision"] is None and not line["removed"]:
            answer = await decide(api, stack, review_id, action="accept", kind="procedure",
                                  line_number=line["line_number"], reason="coder reviewed against the documentation")
            assert answer.status_code == 200, answer.text
    errors = sorted({edit["edit_id"] for edit in coding.get("edits", []) if edit.get("severity") == "error"})
    resolved = await api.post(reviews_url(stack, review_id, "resolution"), json={"acknowledged_edits": errors})
    assert resolved.status_code == 200, resolved.text
    return resolved.json()
