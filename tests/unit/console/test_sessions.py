"""Console sessions end at sign-out, after their lifetime or when idle; failed sign-ins lock a client out."""

from __future__ import annotations

from services.console.domain.sessions import LoginThrottle, SessionBook


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_lives_until_signed_out_and_a_copy_of_its_token_dies_with_it():
    book = SessionBook(lifetime_seconds=3600, idle_seconds=600, clock=Clock())
    token = book.open()
    assert book.touch(token) and book.touch(token)
    book.close(token)
    assert not book.touch(token)


def test_a_session_ends_when_idle_and_a_request_keeps_it_from_idling():
    clock = Clock()
    book = SessionBook(lifetime_seconds=3600, idle_seconds=60, clock=clock)
    token = book.open()
    clock.now += 59
    assert book.touch(token)
    clock.now += 59
    assert book.touch(token)  # 118 s after sign-in, but never 60 s idle
    clock.now += 60
    assert not book.touch(token)


def test_a_session_ends_at_its_lifetime_however_busy():
    clock = Clock()
    book = SessionBook(lifetime_seconds=120, idle_seconds=60, clock=clock)
    token = book.open()
    for _ in range(3):
        clock.now += 39
        assert book.touch(token)
    clock.now += 3
    assert not book.touch(token)


def test_unknown_and_empty_tokens_are_no_session():
    book = SessionBook(lifetime_seconds=60, idle_seconds=60, clock=Clock())
    book.open()
    assert not book.touch("") and not book.touch("made-up")


def test_failed_sign_ins_lock_the_client_out_then_let_it_try_again():
    clock = Clock()
    throttle = LoginThrottle(attempts=3, window_seconds=60, lockout_seconds=300, clock=clock)
    for _ in range(2):
        throttle.failed("10.0.0.1")
        assert throttle.retry_after("10.0.0.1") == 0
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 300
    assert throttle.retry_after("10.0.0.2") == 0  # another address is not punished
    clock.now += 299.5
    assert throttle.retry_after("10.0.0.1") == 1
    clock.now += 0.5
    assert throttle.retry_after("10.0.0.1") == 0


def test_failures_spread_beyond_the_window_do_not_add_up_and_a_success_clears_them():
    clock = Clock()
    throttle = LoginThrottle(attempts=3, window_seconds=60, lockout_seconds=300, clock=clock)
    for _ in range(5):
        throttle.failed("10.0.0.1")
        clock.now += 31
    assert throttle.retry_after("10.0.0.1") == 0
    throttle.failed("10.0.0.3")
    throttle.failed("10.0.0.3")
    throttle.succeeded("10.0.0.3")
    throttle.failed("10.0.0.3")
    assert throttle.retry_after("10.0.0.3") == 0
