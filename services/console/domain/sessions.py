"""Console sign-in rules: sessions that expire and can be ended, and a throttle on failed sign-ins.

Held in the console's memory, not in a signed cookie: signing out then really ends the session (a
copied cookie is worth nothing afterwards), and a restart signs everyone out. The console runs as
one process per deployment, so there is nothing to share.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _digest(token: str) -> str:
    # Only the hash is kept: a memory dump does not hand out live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class _Session:
    opened_at: float
    last_seen: float


class SessionBook:
    """Open sessions; each ends lifetime seconds after sign-in, or after idle seconds without a request."""

    def __init__(self, lifetime_seconds: float, idle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.lifetime_seconds = lifetime_seconds
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._sessions: dict[str, _Session] = {}

    def open(self) -> str:
        """A new session; the returned token goes in the cookie and nowhere else."""
        now = self.clock()
        self._forget_ended(now)
        token = secrets.token_urlsafe(32)
        self._sessions[_digest(token)] = _Session(now, now)
        return token

    def touch(self, token: str) -> bool:
        """True when the token names a live session (which this request keeps from idling out)."""
        if not token:
            return False
        now = self.clock()
        session = self._sessions.get(_digest(token))
        if session is None:
            return False
        if self._ended(session, now):
            del self._sessions[_digest(token)]
            return False
        session.last_seen = now
        return True

    def close(self, token: str) -> None:
        """Sign out: the session ends now, whoever holds a copy of its cookie."""
        self._sessions.pop(_digest(token), None)

    def _ended(self, session: _Session, now: float) -> bool:
        return now - session.opened_at >= self.lifetime_seconds or now - session.last_seen >= self.idle_seconds

    def _forget_ended(self, now: float) -> None:
        for digest in [d for d, s in self._sessions.items() if self._ended(s, now)]:
            del self._sessions[digest]


@dataclass
class _Failures:
    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginThrottle:
    """After `attempts` failed sign-ins from one client within `window` seconds, that client waits `lockout`
    seconds before it may try again, right token or not."""

    def __init__(self, attempts: int, window_seconds: float, lockout_seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self.attempts = attempts
        self.window_seconds = window_seconds
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._clients: dict[str, _Failures] = {}

    def retry_after(self, client: str) -> int:
        """Whole seconds the client must wait before trying again; 0 when it may try now."""
        failures = self._clients.get(client)
        if failures is None:
            return 0
        wait = failures.locked_until - self.clock()
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, client: str) -> None:
        now = self.clock()
        failures = self._clients.setdefault(client, _Failures())
        failures.times = [t for t in failures.times if now - t < self.window_seconds] + [now]
        if len(failures.times) >= self.attempts:
            failures.locked_until = now + self.lockout_seconds
            failures.times = []
        self._forget_quiet(now)

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)

    def _forget_quiet(self, now: float) -> None:
        """Bound the memory: drop clients with nothing recent and no lock."""
        for client in [c for c, f in self._clients.items()
                       if f.locked_until <= now and all(now - t >= self.window_seconds for t in f.times)]:
            del self._clients[client]
