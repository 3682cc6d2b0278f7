"""Console sign-in in headless Chromium: sessions that expire, a Secure HttpOnly SameSite=Strict cookie,
sign-out that ends the session on the server, and throttled sign-in attempts.

Each test runs a console of its own in this process (same services, own settings), so its short
timeouts and locked-out address never touch the stack's console.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from services.console.app import create_app
from services.console.settings import ConsoleSettings
from tests.support.browser import artifact, chromium
from tests.support.inprocess import free_port

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def console(**settings: object) -> AsyncIterator[str]:
    """A console with these settings (the rest from the stack's environment) at the returned URL."""
    port = free_port()
    app = create_app(ConsoleSettings(console_port=port, **settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def sign_in(page, url: str, token: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{url}/login")
    await page.fill("#token", token)
    await page.click("#sign-in")


async def test_a_session_cookie_is_secure_and_signing_out_ends_it_on_the_server(stack: dict[str, str]) -> None:
    async with console() as url, chromium() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        page.set_default_timeout(120_000)
        await sign_in(page, url, stack["ADMIN_TOKEN"])
        await page.wait_for_selector("#services")
        [cookie] = await context.cookies()
        assert cookie["name"] == "console_session" and cookie["value"] != stack["ADMIN_TOKEN"]
        assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Strict")
        assert cookie["expires"] > 0  # a lifetime, not a cookie for ever
        await page.screenshot(path=artifact("console-signed-in.png"), full_page=True)

        await page.click("#sign-out")
        await page.wait_for_selector("#sign-in")
        assert page.url.endswith("/login") and await context.cookies() == []
        await page.goto(f"{url}/")
        assert page.url.endswith("/login")
        # A copy of the cookie taken before signing out is worth nothing now.
        async with httpx.AsyncClient(base_url=url, cookies={cookie["name"]: cookie["value"]}) as copy:
            response = await copy.get("/dead-letters")
        assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_an_idle_session_expires(stack: dict[str, str]) -> None:
    idle = 10  # long enough for this loaded machine to render the dashboard, short enough to wait out
    async with console(console_idle_seconds=idle) as url, chromium() as browser:
        page = await browser.new_page()
        page.set_default_timeout(120_000)
        await sign_in(page, url, stack["ADMIN_TOKEN"])
        await page.wait_for_selector("#services")
        await page.goto(f"{url}/claims/00000000-0000-0000-0000-000000000000")  # a light page, signed in
        assert not page.url.endswith("/login")
        await asyncio.sleep(idle + 1)  # the idle limit itself: nothing to wait for but the clock
        await page.goto(f"{url}/claims/00000000-0000-0000-0000-000000000000")
        assert page.url.endswith("/login"), "an idle session must end"


async def test_repeated_wrong_tokens_lock_the_sign_in_even_for_the_right_one(stack: dict[str, str]) -> None:
    async with console(console_login_attempts=3, console_login_lockout_seconds=60) as url, \
            chromium() as browser:
        page = await browser.new_page()
        page.set_default_timeout(120_000)
        for attempt in range(3):
            await sign_in(page, url, f"wrong-token-{attempt}")
            assert "not the admin token" in await page.inner_text("main")
        response_statuses: list[int] = []
        page.on("response", lambda r: response_statuses.append(r.status) if r.url.endswith("/login") else None)
        await sign_in(page, url, stack["ADMIN_TOKEN"])
        assert "Too many failed sign-ins" in await page.inner_text("main")
        assert 429 in response_statuses
        await page.goto(f"{url}/")
        assert page.url.endswith("/login"), "a locked-out sign-in opens no session"
        async with httpx.AsyncClient(base_url=url) as client:
            refused = await client.post("/login", data={"token": stack["ADMIN_TOKEN"]})
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
