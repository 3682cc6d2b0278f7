"""The console's JSON API: list dead letters and re-drive chosen ones (the page's replay does the same)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from services.console.entrypoints.auth import administrator
from shared.http.problems import NotFound, Unprocessable
from shared.messaging.dead_letters import parse_position

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"], dependencies=[Depends(administrator)])


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    positions: list[str] = Field(min_length=1, max_length=500,
                                 description="dead-letter positions as listed: '<dlq topic>:<partition>:<offset>'")


@router.get("", summary="Messages in the dead-letter topics: ids, types, reasons, positions; never payloads")
async def list_dead_letters(request: Request, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
    letters = await request.app.state.dead_letters.list(limit=limit)
    return {"dead_letters": [letter.as_dict() for letter in letters]}


@router.post("/replay", summary="Re-drive dead letters to their origin topics; consumers apply each at most once")
async def replay_dead_letters(request: Request, body: Replay) -> dict[str, Any]:
    return {"replayed": await replay(request, body.positions)}


async def replay(request: Request, positions: list[str]) -> list[str]:
    """Shared by the API and the page: validate every position first, then re-drive them."""
    for position in positions:
        try:
            parse_position(position)
        except ValueError:
            raise Unprocessable("positions must be '<dead-letter topic>:<partition>:<offset>' as listed") from None
    try:
        letters = await request.app.state.dead_letters.replay(positions)
    except LookupError as error:
        raise NotFound(str(error)) from None
    log.info("dead letters replayed", extra={"positions": [letter.position for letter in letters]})
    return [letter.position for letter in letters]
