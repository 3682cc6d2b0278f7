"""The retry schedule: exponential steps, jitter within bounds, at least 24 hours, and each attempt's outcome."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from services.intake.domain.outbound_webhooks import AttemptResult, Outcome, RetrySchedule, decide

SECOND = dt.timedelta(seconds=1)
QUEUED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
DEFAULT = RetrySchedule()


@pytest.mark.parametrize(("failures", "expected"), [
    (1, dt.timedelta(seconds=5)), (2, dt.timedelta(seconds=30)), (3, dt.timedelta(minutes=2)),
    (4, dt.timedelta(minutes=10)), (5, dt.timedelta(minutes=30)), (6, dt.timedelta(hours=1)),
    (7, dt.timedelta(hours=2)), (8, dt.timedelta(hours=4)), (12, dt.timedelta(hours=4)),
])
def test_base_delay_follows_the_published_steps_then_every_four_hours(failures, expected):
    assert DEFAULT.base_delay(failures) == expected


def test_delays_never_shrink():
    delays = [DEFAULT.base_delay(n) for n in range(1, 15)]
    assert delays == sorted(delays)


def test_there_is_no_delay_before_the_first_failure():
    with pytest.raises(ValueError):
        DEFAULT.base_delay(0)


@pytest.mark.parametrize("failures", range(1, 12))
def test_jitter_stays_within_twenty_percent(failures):
    rng = random.Random(failures)
    base = DEFAULT.base_delay(failures)
    for _ in range(200):
        assert base * 0.8 <= DEFAULT.delay(failures, rng) <= base * 1.2


def test_jitter_spreads_receivers_apart():
    rng = random.Random(7)
    assert len({DEFAULT.delay(3, rng) for _ in range(20)}) == 20


def test_scale_shrinks_delays_and_window_alike():
    fast = RetrySchedule(scale=0.001)
    assert fast.base_delay(1) == dt.timedelta(milliseconds=5)
    assert fast.window_open(QUEUED, QUEUED + dt.timedelta(seconds=86))
    assert not fast.window_open(QUEUED, QUEUED + dt.timedelta(seconds=87))


def always_failing_attempt_times(schedule: RetrySchedule) -> list[dt.timedelta]:
    """When each attempt happens, since queuing, for a receiver that never answers 2xx (no jitter)."""
    schedule = RetrySchedule(jitter=0.0, scale=schedule.scale)
    now, failures, times = QUEUED, 0, []
    while True:
        times.append(now - QUEUED)
        outcome, next_at = decide(AttemptResult(503, None, 3), queued_at=QUEUED, failed_attempts_before=failures,
                                  now=now, schedule=schedule)
        if outcome is Outcome.EXPIRED:
            return times
        assert outcome is Outcome.RETRY and next_at is not None
        now, failures = next_at, failures + 1


def test_a_dead_receiver_is_tried_for_more_than_a_day_then_the_delivery_expires():
    times = always_failing_attempt_times(DEFAULT)
    assert times[:4] == [dt.timedelta(0), 5 * SECOND, 35 * SECOND, 155 * SECOND]
    assert times[-2] < dt.timedelta(hours=24) <= times[-1]
    assert len(times) == 14  # 7 stepped retries, then every 4 h past the 24 h mark


@pytest.mark.parametrize("status_code", [200, 201, 202, 204, 299])
def test_any_2xx_delivers(status_code):
    assert decide(AttemptResult(status_code, None, 10), queued_at=QUEUED, failed_attempts_before=3,
                  now=QUEUED, schedule=DEFAULT) == (Outcome.DELIVERED, None)


def test_410_gone_gives_up_on_the_endpoint_at_once():
    assert decide(AttemptResult(410, None, 10), queued_at=QUEUED, failed_attempts_before=0, now=QUEUED,
                  schedule=DEFAULT) == (Outcome.ENDPOINT_GONE, None)


@pytest.mark.parametrize("result", [
    AttemptResult(500, None, 10), AttemptResult(404, None, 10), AttemptResult(429, None, 10),
    AttemptResult(301, None, 10), AttemptResult(None, "ConnectError", 1), AttemptResult(None, "ReadTimeout", 10000),
])
def test_other_answers_and_errors_are_retried_inside_the_window(result):
    outcome, next_at = decide(result, queued_at=QUEUED, failed_attempts_before=1, now=QUEUED + 5 * SECOND,
                              schedule=RetrySchedule(jitter=0.0))
    assert outcome is Outcome.RETRY
    assert next_at == QUEUED + 35 * SECOND


def test_a_failure_after_the_window_expires_the_delivery():
    assert decide(AttemptResult(500, None, 10), queued_at=QUEUED, failed_attempts_before=13,
                  now=QUEUED + dt.timedelta(hours=24), schedule=DEFAULT) == (Outcome.EXPIRED, None)
