"""The console's server-rendered pages: pipeline health, stuck claims, dead letters with replay, a claim,
and the ERAs no tenant owns (remittance's operator queue) with a route action."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.console.entrypoints.api import replay
from services.console.entrypoints.auth import COOKIE, client_of, signed_in, token_matches
from shared.http.problems import ProblemError

templates = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
                        autoescape=select_autoescape(["html"]))
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 200  # the newest dead letters; the API and the command list them all


def page(name: str, status_code: int = 200, **values) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**values), status_code=status_code)


async def form(request: Request) -> dict[str, list[str]]:
    return urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))


def to_login() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
async def login_page() -> HTMLResponse:
    return page("login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    settings, throttle, client = request.app.state.settings, request.app.state.login_throttle, client_of(request)
    wait = throttle.retry_after(client)
    if wait:
        response = page("login.html", status_code=429, error=f"Too many failed sign-ins; try again in {wait} s.")
        response.headers["Retry-After"] = str(wait)
        return response
    offered = (await form(request)).get("token", [""])[0]
    if not token_matches(settings.admin_token, offered):
        throttle.failed(client)
        return page("login.html", status_code=401, error="That is not the admin token.")
    throttle.succeeded(client)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, request.app.state.sessions.open(), max_age=settings.console_session_seconds,
                        httponly=True, samesite="strict", secure=settings.console_secure_cookie, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server, so a copy of the cookie is worth nothing either."""
    request.app.state.sessions.close(request.cookies.get(COOKIE, ""))
    response = to_login()
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.app.state.settings.console_secure_cookie)
    return response


@router.get("/")
async def dashboard(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    services, claims_by_status, icd10cm = await request.app.state.pipeline.pipeline_and_code_sets()
    stuck = await request.app.state.pipeline.stuck_claims()
    letters = await request.app.state.dead_letters.list(limit=1000)
    per_topic: dict[str, int] = {}
    for letter in letters:
        per_topic[letter.topic] = per_topic.get(letter.topic, 0) + 1
    return page("dashboard.html", services=services, claims_by_status=claims_by_status, stuck=stuck,
                dead_letter_topics=per_topic, icd10cm=icd10cm)


@router.get("/dead-letters")
async def dead_letters(request: Request, replayed: str = "", q: str = "") -> Response:
    if not signed_in(request):
        return to_login()
    letters = await request.app.state.dead_letters.list(limit=100_000)
    wanted = q.strip()
    if wanted:  # an event id, claim id, consumer group, event type or topic
        letters = [d for d in letters if any(wanted in (value or "") for value in (
            d.event_id, d.claim_id, d.consumer, d.event_type, d.topic))]
    newest = sorted(letters, key=lambda d: d.failed_at or "", reverse=True)[:PAGE_SIZE]
    return page("dead_letters.html", letters=newest, total=len(letters), q=wanted,
                replayed=[p for p in replayed.split(",") if p])


@router.post("/dead-letters/replay")
async def replay_from_page(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    positions = (await form(request)).get("position", [])
    if not positions:
        return RedirectResponse("/dead-letters", status_code=303)
    try:
        done = await replay(request, positions)
    except ProblemError as problem:
        return page("error.html", status_code=problem.status, detail=problem.detail)
    return RedirectResponse("/dead-letters?replayed=" + urllib.parse.quote(",".join(done)), status_code=303)


@router.get("/eras/unrouted")
async def unrouted_eras(request: Request, routed: str = "", refused: str = "") -> Response:
    if not signed_in(request):
        return to_login()
    eras = await request.app.state.pipeline.unrouted_eras()
    if eras is None:
        return page("error.html", status_code=503, detail="Remittance did not answer; try again shortly.")
    return page("unrouted_eras.html", eras=eras, routed=routed, refused=refused)


@router.post("/eras/{era_id}/route")
async def route_era(request: Request, era_id: str) -> Response:
    if not signed_in(request):
        return to_login()
    status, body = await request.app.state.pipeline.route_era(era_id)
    if status == 200:
        outcome = f"ERA {era_id} went to {body['tenant_id']}: {body['status']}."
        return RedirectResponse("/eras/unrouted?routed=" + urllib.parse.quote(outcome), status_code=303)
    if status in (404, 409):  # gone already, or its payee still names no tenant (the reason says which)
        refused = f"ERA {era_id} was not routed: {body.get('detail', '')}"
        return RedirectResponse("/eras/unrouted?refused=" + urllib.parse.quote(refused), status_code=303)
    return page("error.html", status_code=502, detail=f"Remittance answered {status}: {body.get('detail', '')}")


@router.get("/claims")
async def find_claim(request: Request, claim_id: str = "") -> Response:
    return RedirectResponse(f"/claims/{urllib.parse.quote(claim_id.strip())}", status_code=303)


@router.get("/claims/{claim_id}")
async def claim(request: Request, claim_id: str) -> Response:
    if not signed_in(request):
        return to_login()
    found = await request.app.state.pipeline.claim_events(claim_id)
    if found is None:
        return page("error.html", status_code=404, detail=f"No claim {claim_id}.")
    trace_ids = sorted({e["trace_id"] for e in found["events"] if e["trace_id"]})
    return page("claim.html", claim=found, trace_ids=trace_ids)
